// Validates STIX 2.1 output of raquet-server with ajv against
// stix21.schema.json (written from the STIX 2.1 specification: no
// package ships OASIS's own schemas), then checks what a schema cannot:
// ids unique, every reference resolves within the set, modified >=
// created, last_seen >= first_seen.
// Usage: node validate.mjs bundle FILE   (a bundle)
//        node validate.mjs objects FILE  (a JSON array of objects)
// Prints "ok N" and exits 0, or prints every error and exits 1.
import Ajv from "ajv";
import { readFileSync } from "node:fs";

const [kind, file] = process.argv.slice(2);
if (!["bundle", "objects"].includes(kind) || !file) {
  console.error("usage: node validate.mjs bundle|objects FILE");
  process.exit(2);
}
const schema = JSON.parse(readFileSync(new URL("./stix21.schema.json", import.meta.url), "utf8"));
const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
ajv.addSchema(schema);
const errors = [];
const data = JSON.parse(readFileSync(file, "utf8"));
let objects;
if (kind === "bundle") {
  const check = ajv.getSchema(`${schema.$id}#/definitions/bundle`);
  if (!check(data)) errors.push(...check.errors.map((e) => `bundle${e.instancePath}: ${e.message} ${JSON.stringify(e.params)}`));
  objects = Array.isArray(data.objects) ? data.objects : [];
} else {
  const check = ajv.getSchema(`${schema.$id}#/definitions/object`);
  objects = Array.isArray(data) ? data : [];
  objects.forEach((o, i) => {
    if (!check(o)) errors.push(...check.errors.map((e) => `objects[${i}] ${o.id}${e.instancePath}: ${e.message} ${JSON.stringify(e.params)}`));
  });
}
const byId = new Map();
for (const o of objects) {
  if (byId.has(o.id)) errors.push(`${o.id}: twice`);
  byId.set(o.id, o);
}
const refs = (o) =>
  [o.created_by_ref, o.sighting_of_ref, o.source_ref, o.target_ref, ...(o.where_sighted_refs || [])].filter(Boolean);
for (const o of objects) {
  for (const r of refs(o)) if (!byId.has(r)) errors.push(`${o.id}: refers to ${r}, not in the set`);
  if (o.modified < o.created) errors.push(`${o.id}: modified ${o.modified} before created ${o.created}`);
  if (o.first_seen && o.last_seen && o.last_seen < o.first_seen) errors.push(`${o.id}: last_seen before first_seen`);
  if (o.type === "relationship" && o.relationship_type === "indicates" &&
      (!o.source_ref.startsWith("indicator--") || !o.target_ref.startsWith("malware--")))
    errors.push(`${o.id}: indicates from ${o.source_ref} to ${o.target_ref}`);
  for (const w of o.where_sighted_refs || [])
    if (byId.has(w) && byId.get(w).type !== "identity") errors.push(`${o.id}: sighted where ${w} is no identity`);
}
if (errors.length) {
  console.log(errors.join("\n"));
  process.exit(1);
}
console.log(`ok ${objects.length}`);
