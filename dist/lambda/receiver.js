// The handler the templates name: its bundle is ./receiver/ (scripts/build.js).
export { handler } from './receiver/index.js';
