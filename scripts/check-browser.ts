// First step of `npm test`: without a browser it stops at once, with one line saying how to get
// one, instead of after the unit tests with a launch failure in every end-to-end spec.
import { requireBrowser } from '../src/node/browser';

requireBrowser();
