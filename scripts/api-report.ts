/**
 * Runs API Extractor over each public entry point (`flotilla`, `flotilla/testing`,
 * `flotilla/docker`) with the one
 * shared api-extractor.json, writing or checking the reports under etc/.
 *
 *   tsx scripts/api-report.ts           check: fail when the public API differs from etc/
 *   tsx scripts/api-report.ts --update  update the committed reports
 */
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const update = process.argv.includes('--update');
// `flotilla/testing` and `flotilla/docker` document their exports with links to classes that
// `flotilla` itself exports; API Extractor resolves links within one entry point only, so those
// links are not reported there.
const entries = [
  { dts: 'dist/index.d.ts', report: 'flotilla.api.md', crossEntryLinks: false },
  { dts: 'dist/testing.d.ts', report: 'flotilla-testing.api.md', crossEntryLinks: true },
  { dts: 'dist/docker.d.ts', report: 'flotilla-docker.api.md', crossEntryLinks: true },
];

let failed = false;
for (const entry of entries) {
  const configFile = ExtractorConfig.loadFile(path.join(root, 'api-extractor.json'));
  configFile.mainEntryPointFilePath = path.join(root, entry.dts);
  configFile.apiReport = { ...configFile.apiReport, enabled: true, reportFileName: entry.report };
  if (entry.crossEntryLinks) {
    const messages = configFile.messages ?? {};
    const extractor = messages.extractorMessageReporting ?? {};
    configFile.messages = { ...messages, extractorMessageReporting: { ...extractor, 'ae-unresolved-link': { logLevel: 'none' as never } } };
  }
  const config = ExtractorConfig.prepare({
    configObject: configFile,
    configObjectFullPath: path.join(root, 'api-extractor.json'),
    packageJsonFullPath: path.join(root, 'package.json'),
  });
  const result = Extractor.invoke(config, { localBuild: update, showVerboseMessages: false });
  if (!result.succeeded) {
    failed = true;
    process.stderr.write(
      `API report ${entry.report}: ${result.apiReportChanged ? 'the public API changed; run `npm run api` and commit etc/' : `${result.errorCount} errors, ${result.warningCount} warnings (fix them: CI treats warnings as failures)`}\n`,
    );
  } else {
    process.stdout.write(`API report ${entry.report}: ${result.apiReportChanged ? 'updated' : 'unchanged'}\n`);
  }
}
process.exit(failed ? 1 : 0);
