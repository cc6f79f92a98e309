// npm run studio -- --seed demo --size small [--out truth.json]: the linking truth of a studio.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildStudio, studioTruth, type StudioSizeName } from './index.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    size: { type: 'string', default: 'tiny' },
    out: { type: 'string' },
  },
});
const sizes = ['tiny', 'small', 'medium', 'bench'];
if (!sizes.includes(values.size)) {
  console.error(`--size must be one of ${sizes.join(', ')}`);
  process.exit(2);
}
const truth = studioTruth(buildStudio({ seed: values.seed, size: values.size as StudioSizeName }));
const json = `${JSON.stringify(truth, null, 2)}\n`;
if (values.out) {
  writeFileSync(values.out, json);
  console.log(
    `wrote ${values.out}: ${truth.organizations.length} organizations, ${truth.people.length} people, ${truth.summary.people_in_several_sources} linked across sources`,
  );
} else process.stdout.write(json);
