import { captureOracle } from './capture-oracle.js';

captureOracle(3, 4);
