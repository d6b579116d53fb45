// Theme Check (Shopify's linter for themes and theme app extensions) over one extension directory.
// Prints every offense; exits 1 when there is any error or warning (info-level suggestions are printed too).
'use strict';
const path = require('node:path');
const { themeCheckRun } = require('@shopify/theme-check-node');

const SEVERITY = ['error', 'warning', 'info'];

async function main() {
  const root = path.resolve(process.argv[2] || 'extensions/flexchain-widgets');
  const { offenses } = await themeCheckRun(root, undefined, () => {});
  for (const o of offenses) {
    const where = `${path.relative(process.cwd(), o.uri.replace('file://', ''))}:${o.start.line + 1}`;
    console.log(`${SEVERITY[o.severity] || o.severity} ${o.check} ${where} ${o.message}`);
  }
  const blocking = offenses.filter((o) => o.severity <= 1).length;
  console.log(`theme-check: ${offenses.length} offense(s), ${blocking} error(s) or warning(s)`);
  process.exit(blocking ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(2);
});
