// What the CloudFront distribution of template.yaml does, read from the template itself:
// its behaviours (path patterns, origins), its viewer-request functions (their JavaScript,
// run here as CloudFront runs it) and its response headers policy. serve.mjs applies them
// locally; e2e/routing.spec.ts checks that it does.
import { readFileSync } from "node:fs";
import vm from "node:vm";
import yaml from "js-yaml";

// CloudFormation's short tags, kept as their long forms.
const tags = [
  ["Ref", "scalar"], ["Sub", "scalar"], ["Sub", "sequence"], ["GetAtt", "scalar"], ["GetAtt", "sequence"],
  ["Join", "sequence"], ["Select", "sequence"], ["Split", "sequence"], ["If", "sequence"], ["Equals", "sequence"],
  ["Not", "sequence"], ["And", "sequence"], ["Or", "sequence"], ["FindInMap", "sequence"], ["ImportValue", "scalar"],
  ["GetAZs", "scalar"], ["Base64", "scalar"], ["Condition", "scalar"], ["Cidr", "sequence"],
].map(
  ([name, kind]) =>
    new yaml.Type(`!${name}`, {
      kind,
      construct: (data) => (name === "Ref" ? { Ref: data } : { [`Fn::${name}`]: name === "GetAtt" && typeof data === "string" ? data.split(".") : data }),
    }),
);
const schema = yaml.DEFAULT_SCHEMA.extend(tags);

export function loadTemplate(path) {
  return yaml.load(readFileSync(path, "utf8"), { schema });
}

function resourcesOfType(template, type) {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

/** Resolves !Sub with the given variables (and a [string, map] form's own map, resolved too). */
export function resolveSub(value, vars) {
  if (typeof value === "string") return value;
  const sub = value["Fn::Sub"];
  if (sub === undefined) throw new Error(`not a !Sub: ${JSON.stringify(value)}`);
  const [text, local] = typeof sub === "string" ? [sub, {}] : sub;
  const all = { ...vars };
  // A variable given a value (locally: the local WebSocket) replaces the map's own.
  for (const [k, v] of Object.entries(local)) all[k] = k in vars ? vars[k] : resolveSub(v, vars);
  return text.replace(/\$\{([^}]+)\}/g, (_, name) => {
    if (!(name in all)) throw new Error(`no local value for \${${name}}`);
    return all[name];
  });
}

/** A CloudFront Function (cloudfront-js-2.0) as a callable: event -> request or response. */
function compileFunction(code) {
  const context = vm.createContext({});
  vm.runInContext(`${code}\n;globalThis.__handler = handler;`, context);
  return (event) => context.__handler(event);
}

/**
 * The distribution: behaviours in CloudFront's order of evaluation (cache behaviours in
 * order, then the default), each with its origin id, functions and headers policy.
 */
export function distribution(template) {
  const [[, dist]] = resourcesOfType(template, "AWS::CloudFront::Distribution");
  const config = dist.Properties.DistributionConfig;
  const functions = Object.fromEntries(
    resourcesOfType(template, "AWS::CloudFront::Function").map(([name, r]) => [name, compileFunction(r.Properties.FunctionCode)]),
  );
  const policies = Object.fromEntries(resourcesOfType(template, "AWS::CloudFront::ResponseHeadersPolicy").map(([name, r]) => [name, r]));
  const behaviour = (b, pathPattern) => {
    const viewerRequest = (b.FunctionAssociations ?? []).find((f) => f.EventType === "viewer-request");
    const fnName = viewerRequest ? viewerRequest.FunctionARN["Fn::GetAtt"][0] : null;
    return {
      pathPattern,
      originId: b.TargetOriginId,
      allowedMethods: b.AllowedMethods,
      viewerRequest: fnName ? functions[fnName] : null,
      viewerRequestName: fnName,
      headersPolicy: b.ResponseHeadersPolicyId ? policies[b.ResponseHeadersPolicyId.Ref] : null,
    };
  };
  return {
    defaultRootObject: config.DefaultRootObject,
    origins: config.Origins,
    behaviours: [...(config.CacheBehaviors ?? []).map((b) => behaviour(b, b.PathPattern)), behaviour(config.DefaultCacheBehavior, "*")],
  };
}

/** CloudFront's path pattern matching: `*` any characters, `?` one, case-sensitive. */
export function matches(pattern, path) {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
  return re.test(path);
}

export function behaviourFor(dist, path) {
  return dist.behaviours.find((b) => matches(b.pathPattern, path));
}

/** The headers a response headers policy adds, with the template's !Sub variables given local values. */
export function policyHeaders(policy, vars) {
  if (!policy) return {};
  const c = policy.Properties.ResponseHeadersPolicyConfig;
  const s = c.SecurityHeadersConfig ?? {};
  const out = {};
  if (s.ContentSecurityPolicy) out["content-security-policy"] = resolveSub(s.ContentSecurityPolicy.ContentSecurityPolicy, vars);
  if (s.StrictTransportSecurity) {
    const h = s.StrictTransportSecurity;
    out["strict-transport-security"] =
      `max-age=${h.AccessControlMaxAgeSec}` + (h.IncludeSubdomains ? "; includeSubDomains" : "") + (h.Preload ? "; preload" : "");
  }
  if (s.FrameOptions) out["x-frame-options"] = s.FrameOptions.FrameOption;
  if (s.ContentTypeOptions) out["x-content-type-options"] = "nosniff";
  if (s.ReferrerPolicy) out["referrer-policy"] = s.ReferrerPolicy.ReferrerPolicy;
  for (const item of c.CustomHeadersConfig?.Items ?? []) out[item.Header.toLowerCase()] = item.Value;
  return out;
}
