import { corpusOracle } from './protocols-corpus.js';

corpusOracle(1, 2);
