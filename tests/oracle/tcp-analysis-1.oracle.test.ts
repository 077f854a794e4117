import { tcpAnalysisOracle } from './tcp-analysis-oracle.js';

tcpAnalysisOracle(0, 2);
