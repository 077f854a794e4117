import { InputDamage } from '../report/input-damage.js';

/** The one instance the command line reports on. */
export const inputDamage = new InputDamage();
