#!/usr/bin/env node
// Validates Kubernetes YAML against the Kubernetes OpenAPI schema (kubernetes-models), Istio
// resources against Istio's published CRD schemas (@kubernetes-models/istio) and Gateway API
// resources against the Gateway API's (@kubernetes-models/gateway-api): missing required fields,
// wrong types and enum values. Unknown fields are the KubernetesClient strict load's job.
//
// usage: node validate.js <file-or-directory>...   (kustomization.yaml files are skipped)
// prints one line per object ("ok <file> <kind>/<name>" or "FAIL <file> <kind>/<name>: <errors>")
// and exits 1 if any object fails or has no schema.
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

const istioGroups = new Set(['networking.istio.io', 'security.istio.io', 'telemetry.istio.io', 'extensions.istio.io']);
const gatewayApiGroups = new Set(['gateway.networking.k8s.io', 'gateway.networking.x-k8s.io']);

async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const modulePath = istioGroups.has(group)
    ? `@kubernetes-models/istio/${group}/${version}`
    : gatewayApiGroups.has(group) ? `@kubernetes-models/gateway-api/${group}/${version}`
    : group === '' ? `kubernetes-models/${version}` : `kubernetes-models/${group}/${version}`;
  let module;
  try {
    module = await import(modulePath);
  } catch {
    return null;
  }
  return module[kind] ?? null;
}

function files(target) {
  if (fs.statSync(target).isDirectory()) {
    return fs.readdirSync(target).sort().flatMap(entry => files(path.join(target, entry)));
  }
  return /\.ya?ml$/.test(target) && path.basename(target) !== 'kustomization.yaml' ? [target] : [];
}

let failures = 0;
let count = 0;
for (const file of process.argv.slice(2).flatMap(files)) {
  for (const document of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
    if (document.errors.length > 0) {
      failures++;
      console.log(`FAIL ${file}: YAML: ${document.errors.map(e => e.message).join('; ')}`);
      continue;
    }
    const object = document.toJS();
    // Empty documents, and Istio MeshConfig fragments (samples/extauthz/mesh-config-*.yaml: the
    // `data` of Istio's ConfigMap), are not API objects.
    if (object === null || object === undefined || (object.apiVersion === undefined && object.kind === undefined)) {
      continue;
    }
    count++;
    const name = `${object.kind}/${object.metadata?.name}`;
    const Model = await modelFor(String(object.apiVersion ?? ''), String(object.kind ?? ''));
    if (Model === null) {
      failures++;
      console.log(`FAIL ${file} ${name}: no schema for apiVersion ${object.apiVersion} kind ${object.kind}`);
      continue;
    }
    try {
      new Model(object).validate();
      console.log(`ok ${file} ${name}`);
    } catch (error) {
      failures++;
      const details = error.errors ? JSON.stringify(error.errors) : String(error.message ?? error);
      console.log(`FAIL ${file} ${name}: ${details}`);
    }
  }
}

console.log(`${count} objects, ${failures} failed`);
process.exit(failures === 0 && count > 0 ? 0 : 1);
