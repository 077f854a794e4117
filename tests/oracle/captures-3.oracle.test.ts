import { captureOracle } from './capture-oracle.js';

captureOracle(2, 4);
