import { corpusOracle } from './protocols-corpus.js';

corpusOracle(0, 2);
