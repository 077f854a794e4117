import { captureOracle } from './capture-oracle.js';

captureOracle(1, 4);
