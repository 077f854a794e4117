/**
 * Terminal columns of text: the module lives in src/plot/ (the text report draws graphs
 * too, and must not import the UI); the UI's modules keep importing it from here.
 */
export * from '../plot/width.js';
