// Supabase's TypeScript types for several databases in one Node process.
//
// The same calls as `node dist/server/server.js` with PG_META_GENERATE_TYPES=typescript (what
// `supabase gen types typescript` runs), minus one Node start per database:
//   getGeneratorMetadata(new PostgresMeta({...DEFAULT_POOL_CONFIG, connectionString}),
//                        {includedSchemas}) → generateTypescript(metadata, {detectOneToOne…})
// Input (stdin): JSON [{"url": ..., "schemas": [...], "postgrestVersion"?: ..., "generator"?: ...}].
// Output: JSON [{"types"} | {"error"}], each "types" as server.js prints it (console.log adds
// the final newline). "generator" names an older release installed under an npm alias
// (postgres-meta-084 …): those releases' server.js passes the same metadata, with
// detectOneToOneRelationships, to the template's `apply` in dist/server/templates/typescript.js.
import { PostgresMeta } from "@supabase/postgres-meta/dist/lib/index.js";
import { getGeneratorMetadata } from "@supabase/postgres-meta/dist/lib/generators.js";
import { DEFAULT_POOL_CONFIG } from "@supabase/postgres-meta/dist/server/constants.js";
import { generateTypescript } from "@supabase/postgrest-typegen";

const CONCURRENCY = 4;

async function older(generator, url, schemas) {
  const dist = `${generator}/dist`;
  const lib = await import(`${dist}/lib/index.js`);
  const { getGeneratorMetadata: metadata } = await import(`${dist}/lib/generators.js`);
  const { DEFAULT_POOL_CONFIG: pool } = await import(`${dist}/server/constants.js`);
  const { apply } = await import(`${dist}/server/templates/typescript.js`);
  const pgMeta = new lib.PostgresMeta({ ...pool, connectionString: url });
  try {
    const { data, error } = await metadata(pgMeta, { includedSchemas: schemas });
    if (error) return { error: error.message };
    return { types: (await apply({ ...data, detectOneToOneRelationships: true })) + "\n" };
  } finally {
    await pgMeta.end();
  }
}

async function latest(url, schemas, postgrestVersion) {
  const pgMeta = new PostgresMeta({ ...DEFAULT_POOL_CONFIG, connectionString: url });
  try {
    const { data, error } = await getGeneratorMetadata(pgMeta, { includedSchemas: schemas });
    if (error) return { error: error.message };
    const types = await generateTypescript(data, {
      detectOneToOneRelationships: true,
      postgrestVersion, // PG_META_POSTGREST_VERSION; unset for the local CLI
      defaultSchema: "public",
    });
    return { types: types + "\n" };
  } finally {
    await pgMeta.end();
  }
}

let input = "";
for await (const chunk of process.stdin) input += chunk;
const jobs = JSON.parse(input);
const results = new Array(jobs.length);
let next = 0;
async function worker() {
  while (next < jobs.length) {
    const index = next++;
    const { url, schemas, postgrestVersion, generator } = jobs[index];
    results[index] = generator
      ? await older(generator, url, schemas)
      : await latest(url, schemas, postgrestVersion);
  }
}
// A few jobs at a time: one waits on PostgreSQL's introspection while another formats.
await Promise.all(Array.from({ length: CONCURRENCY }, worker));
process.stdout.write(JSON.stringify(results), () => process.exit(0));
