import { tcpAnalysisOracle } from './tcp-analysis-oracle.js';

tcpAnalysisOracle(1, 2);
