using Mesh.Config.Loading;
using Mesh.Config.Validation;

namespace Mesh.Config.Tests;

/// <summary>
/// Validation rules brought in line with Istio's current ones (pkg/config/validation and the CRD
/// schemas' rules): what Istio accepts is accepted, what it refuses is refused with its message,
/// and what Istio accepts but Mesh cannot do is refused by name with the reason.
/// </summary>
public sealed class IstioParityValidationTests
{
    private const string Vs = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: r}\nspec:\n  hosts: [r]\n  http:\n";
    private const string Route = "    route: [{destination: {host: r}}]\n";
    private const string Ap = "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: a}\nspec:\n";
    private const string Dr = "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: d}\nspec:\n  host: r\n";
    private const string Se = "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: s}\nspec:\n  hosts: [api.example.com]\n";
    private const string Sidecar = "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: s}\nspec:\n";
    private const string Telemetry = "apiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: {name: t}\nspec:\n";

    private static List<string> Errors(string yaml) =>
        [.. ConfigValidator.ValidateParsed(ConfigParser.Parse(yaml, "f.yaml")).Select(e => e.ToString())];

    public static TheoryData<string, string> AcceptedAsInIstio() => new()
    {
        { "a ServiceEntry without ports", Se + "  resolution: DNS\n" },
        { "a bare service account (the policy's namespace)", Ap + "  rules: [{from: [{source: {serviceAccounts: [bookinfo-reviews]}}]}]\n" },
        { "trust domains", Ap + "  rules: [{from: [{source: {trustDomains: [cluster.local, \"td*\", \"*\"], notTrustDomains: [old.local]}}]}]\n" },
        { "source.serviceAccount and source.trustDomain conditions", Ap + "  rules: [{when: [{key: source.serviceAccount, values: [ns/sa]}, {key: source.trustDomain, values: [cluster.local]}]}]\n" },
        { "a '*' inside a principal (Istio matches it literally)", Ap + "  rules: [{from: [{source: {principals: [\"a*b\", \"/a*b*\"]}}]}]\n" },
        { "a withoutHeaders regex of *", Vs + "  - match: [{withoutHeaders: {x-a: {regex: \"*\"}}}]\n" + Route },
        { "match port 0 (unset)", Vs + "  - match: [{port: 0}]\n" + Route },
        { "an abort without an error type (Istio warns)", Vs + "  - fault: {abort: {percentage: {value: 5}}}\n" + Route },
        { "a delay without fixedDelay (Istio accepts)", Vs + "  - fault: {delay: {percentage: {value: 5}}}\n" + Route },
        { "statPrefix (advisory)", Vs + "  - match: [{statPrefix: reviews}]\n" + Route },
        { "a literal % in a header value", Vs + "  - headers: {request: {set: {x-a: \"100%%\"}}}\n" + Route },
        { "two port settings for one port (the first applies)", Dr + "  trafficPolicy:\n    portLevelSettings:\n    - {port: {number: 80}, connectionPool: {tcp: {maxConnections: 1}}}\n    - {port: {number: 80}, connectionPool: {tcp: {maxConnections: 2}}}\n" },
        { "splitExternalLocalOriginErrors false (the default)", Dr + "  trafficPolicy: {outlierDetection: {splitExternalLocalOriginErrors: false}}\n" },
        { "Gateway defaultEndpoint (not implemented by Istio either)", "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g}\nspec:\n  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [\"*\"], defaultEndpoint: \"127.0.0.1:8080\"}]\n" },
        { "Gateway httpsRedirect on a non-HTTP server is only a warning in Istio", "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g}\nspec:\n  servers: [{port: {number: 443, name: https, protocol: HTTPS}, hosts: [\"*\"], tls: {mode: SIMPLE, credentialName: c, httpsRedirect: true}}]\n" },
        { "sidecar egress exclusions", Sidecar + "  egress: [{hosts: [\"*/*\", \"~prod/*\", \"~/bar.example.com\"]}]\n" },
        { "an empty custom tag (Istio adds nothing)", Telemetry + "  tracing: [{customTags: {a: {}}}]\n" },
        { "tracing settings at the proxy's behaviour", Telemetry + "  tracing: [{useRequestIdForTraceSampling: false, enableIstioTags: true, disableContextPropagation: false}]\n" },
        { "outputClaimToHeaders header with _", "apiVersion: security.istio.io/v1\nkind: RequestAuthentication\nmetadata: {name: r}\nspec:\n  jwtRules: [{issuer: i, outputClaimToHeaders: [{header: x_sub, claim: sub}]}]\n" },
        { "a host with a trailing dot", Dr.Replace("host: r", "host: reviews.default.svc.cluster.local.", StringComparison.Ordinal) },
        { "endpoint weights", Se + "  ports: [{number: 80, name: http, protocol: HTTP}]\n  resolution: STATIC\n  endpoints: [{address: 10.0.0.1, weight: 1}, {address: 10.0.0.2, weight: 3}]\n" },
        { "locality distribute (Istio's task)", Dr + "  trafficPolicy:\n    loadBalancer:\n      localityLbSetting:\n        enabled: true\n        distribute:\n        - from: region1/zone1/*\n          to: {\"region1/zone1/*\": 80, \"region1/zone2/*\": 20}\n        - from: \"region1/zone2/*\"\n          to: {\"region1/zone2/*\": 100}\n" },
        { "a host whose first label is *-something", Vs.Replace("hosts: [r]", "hosts: [\"*-a.example.com\"]", StringComparison.Ordinal) + "  - " + Route.TrimStart() },
    };

    [Theory]
    [MemberData(nameof(AcceptedAsInIstio))]
    public void Istio_accepts_it_and_so_does_Mesh(string what, string yaml)
    {
        Assert.True(Errors(yaml).Count == 0, $"{what}: {string.Join("; ", Errors(yaml))}");
    }

    public static TheoryData<string, string, string> RefusedAsInIstio() => new()
    {
        { "portLevelMtls: {} (CRD minProperties 1)", "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: p}\nspec:\n  selector: {matchLabels: {app: a}}\n  portLevelMtls: {}\n", "spec.portLevelMtls: port level mTLS, if defined, must have at least one element" },
        { "an empty customMetric", Telemetry + "  metrics: [{overrides: [{match: {customMetric: \"\"}}]}]\n", "spec.metrics[0].overrides[0].match.customMetric: customMetric may not be empty" },
        { "from: []", Ap + "  rules: [{from: []}]\n", "spec.rules[0].from: `from` must not be empty, found at rule 0" },
        { "to: []", Ap + "  rules: [{to: []}]\n", "spec.rules[0].to: `to` must not be empty, found at rule 0" },
        { "DENY without rules", Ap + "  action: DENY\n", "spec.rules: DENY action without `rules` is meaningless" },
        { "timeout 0s", Vs + "  - timeout: 0s\n" + Route, "spec.http[0].timeout: duration must be greater than 1ms" },
        { "a short name in sidecar egress hosts", Sidecar + "  egress: [{hosts: [\"./details\"]}]\n", "spec.egress[0].hosts[0]: short names (non FQDN) are not allowed: \"details\"" },
        { "a partial wildcard in sidecar egress hosts", Sidecar + "  egress: [{hosts: [\"./*foo.example.com\"]}]\n", "partial wildcard \"*foo.example.com\" not allowed" },
        { "the authority rewritten twice", Vs + "  - rewrite: {authority: a}\n    headers: {request: {set: {host: b}}}\n" + Route, "spec.http[0].headers.request.set.host: authority header cannot be set multiple times" },
        { "an unescaped % in a header value", Vs + "  - headers: {request: {set: {x-a: \"50%\"}}}\n" + Route, "invalid header configuration. Un-escaped %" },
        { "workloadSelector with endpoints", Se + "  ports: [{number: 80, name: http, protocol: HTTP}]\n  resolution: STATIC\n  workloadSelector: {labels: {app: a}}\n  endpoints: [{address: 10.0.0.1}]\n", "spec: only one of WorkloadSelector or Endpoints is allowed in Service Entry" },
        { "a wildcard service account", Ap + "  rules: [{from: [{source: {serviceAccounts: [\"ns/*\"]}}]}]\n", "wildcard not allowed in service account \"ns/*\"" },
        { "a trust domain with /", Ap + "  rules: [{from: [{source: {trustDomains: [a/b]}}]}]\n", "trust domain must not contain '/'" },
        { "destination.labels", Ap + "  rules: [{when: [{key: \"destination.labels[app]\", values: [a]}]}]\n", "attribute destination.labels[app] is replaced by the workload selector" },
        { "an empty condition value", Ap + "  rules: [{when: [{key: source.namespace, values: [\"\"]}]}]\n", "empty value not allowed, found in source.namespace" },
        { "a bad header key", Ap + "  rules: [{when: [{key: \"request.headers[]\", values: [a]}]}]\n", "bad key (request.headers[]): should have format a[b]" },
        { "a malformed path template", Ap + "  rules: [{to: [{operation: {paths: [\"/a/{**}/{*}\"]}}]}]\n", "{**} is not the last operator" },
        { "an all-numeric top-level domain", Dr.Replace("host: r", "host: api.example.123", StringComparison.Ordinal), "top level domain \"123\" cannot be all-numeric" },
        { "distribute weights not summing to 100", Distribute("- from: region1\n          to: {region1: 70, region2: 20}"), "spec.trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to: total locality weight 90 != 100" },
        { "a distribute weight of 0", Distribute("- from: region1\n          to: {region1: 100, region2: 0}"), "distribute[0].to.region2: locality weight must be in range [1, 100] (got 0)" },
        { "a distribute weight above 100", Distribute("- from: region1\n          to: {region1: 101}"), "distribute[0].to.region1: locality weight must be in range [1, 100] (got 101)" },
        { "a wildcard not at the end", Distribute("- from: \"*/zone1\"\n          to: {region1: 100}"), "distribute[0].from: locality \"*/zone1\" wildcard '*' number can not exceed 1 and must be in the end" },
        { "an empty locality part", Distribute("- from: region1//a\n          to: {region1: 100}"), "must be region[/zone[/subzone]] without empty parts" },
        { "overlapping to localities", Distribute("- from: region1\n          to: {region1: 50, \"region1/zone1\": 50}"), "distribute[0].to[\"region1/zone1\"]: locality \"region1/zone1\" overlap with previous specified ones" },
        { "overlapping from localities", Distribute("- from: region1\n          to: {region1: 100}\n        - from: \"*\"\n          to: {region1: 100}"), "distribute[1].from: locality \"*\" overlap with previous specified ones" },
        { "distribute without to", Distribute("- from: region1"), "distribute[0].to: locality lb distribute must specify destination localities" },
        { "distribute with failover", Distribute("- from: region1\n          to: {region1: 100}\n        failover: [{from: region1, to: region2}]"), "spec.trafficPolicy.loadBalancer.localityLbSetting: can not simultaneously specify 'distribute' and 'failover'" },
        { "zoneAware and locality settings together", Dr + "  trafficPolicy: {loadBalancer: {localityLbSetting: {enabled: true}, zoneAwareLbSetting: {enabled: true}}}\n", "only one of localityLbSetting and zoneAwareLbSetting can be set" },
    };

    private static string Distribute(string entries) =>
        Dr + "  trafficPolicy:\n    loadBalancer:\n      localityLbSetting:\n        distribute:\n        " + entries + "\n";

    [Theory]
    [MemberData(nameof(RefusedAsInIstio))]
    public void Istio_refuses_it_and_so_does_Mesh(string what, string yaml, string expected)
    {
        var errors = Errors(yaml);

        Assert.True(errors.Any(e => e.Contains(expected, StringComparison.Ordinal)), $"{what}: expected \"{expected}\"; got: {string.Join("; ", errors)}");
    }

    public static TheoryData<string, string, string> RefusedByName() => new()
    {
        { "a path template", Ap + "  rules: [{to: [{operation: {paths: [\"/a/{*}\"]}}]}]\n", "path templates ({*}, {**}) are not supported" },
        { "an Envoy header variable", Vs + "  - headers: {request: {set: {x-a: \"%DOWNSTREAM_REMOTE_ADDRESS%\"}}}\n" + Route, "Envoy header variable %DOWNSTREAM_REMOTE_ADDRESS% is not supported" },
        { "a trust-domain suffix match", Ap + "  rules: [{from: [{source: {trustDomains: [\"*.local\"]}}]}]\n", "trust domain suffix match \"*.local\" is not supported" },
        { "trust domains with a principal suffix", Ap + "  rules: [{from: [{source: {principals: [\"*/sa/x\"], trustDomains: [td]}}]}]\n", "trustDomains with the principal suffix match \"*/sa/x\" is not supported" },
        { "a value starting and ending with *", Ap + "  rules: [{from: [{source: {namespaces: [\"*a*\"]}}]}]\n", "a value starting and ending with '*' is not supported" },
        { "maxRequestsPerConnection 2", Dr + "  trafficPolicy: {connectionPool: {http: {maxRequestsPerConnection: 2}}}\n", "maxRequestsPerConnection 2 is not supported" },
        { "redirect code 304", Vs + "  - redirect: {uri: /a, redirectCode: 304}\n", "redirect code 304 is not supported" },
        { "a minimum ring size above Envoy's maximum", Dr + "  trafficPolicy: {loadBalancer: {consistentHash: {useSourceIp: true, ringHash: {minimumRingSize: 9000000}}}}\n", "is larger than the maximum ring size 8388608" },
        { "splitExternalLocalOriginErrors true", Dr + "  trafficPolicy: {outlierDetection: {splitExternalLocalOriginErrors: true}}\n", "splitExternalLocalOriginErrors true is not supported" },
        { "a header custom tag", Telemetry + "  tracing: [{customTags: {a: {header: {name: x-a}}}}]\n", "spec.tracing[0].customTags.a.header: header custom tags are not supported" },
        { "request-id sampling", Telemetry + "  tracing: [{useRequestIdForTraceSampling: true}]\n", "useRequestIdForTraceSampling true is not supported" },
        { "gRPC abort OK", Vs + "  - fault: {abort: {grpcStatus: OK}}\n" + Route, "gRPC status OK is not supported" },
    };

    [Theory]
    [MemberData(nameof(RefusedByName))]
    public void Istio_accepts_it_but_Mesh_cannot_do_it_so_it_is_refused_by_name(string what, string yaml, string expected)
    {
        var errors = Errors(yaml);

        Assert.True(errors.Any(e => e.Contains(expected, StringComparison.Ordinal)), $"{what}: expected \"{expected}\"; got: {string.Join("; ", errors)}");
        Assert.DoesNotContain(errors, e => e.Contains("unknown field", StringComparison.Ordinal));
    }
}
