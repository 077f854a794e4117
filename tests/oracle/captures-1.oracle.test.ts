import { captureOracle } from './capture-oracle.js';

captureOracle(0, 4);
