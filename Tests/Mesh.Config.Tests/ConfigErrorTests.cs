using Mesh.Config.Loading;
using Mesh.Config.Model;
using Mesh.Config.Validation;

namespace Mesh.Config.Tests;

/// <summary>Bad documents of every kind give the exact Istio-style error at the exact field path.</summary>
public sealed class ConfigErrorTests
{
    private static IReadOnlyList<string> Errors(string yaml)
    {
        var parsed = ConfigParser.Parse(yaml, "mesh-config/test.yaml");
        return [.. ConfigValidator.ValidateParsed(parsed).Select(e => e.ToString())];
    }

    private static string Vs(string http) =>
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews}\nspec:\n  hosts: [reviews]\n  http:\n" + http;

    public static TheoryData<string, string> BadDocuments() => new()
    {
        // Structure (binder)
        { Vs("  - foo: 1\n    route: [{destination: {host: reviews}}]\n"), "VirtualService/reviews: spec.http[0].foo: unknown field \"foo\"" },
        { Vs("  - timeout: abc\n    route: [{destination: {host: reviews}}]\n"), "spec.http[0].timeout: invalid duration \"abc\"; expected a duration such as \"1s\", \"0.5s\", \"100ms\", \"1m\" or \"1h\"" },
        { Vs("  - route: {destination: {host: reviews}}\n"), "spec.http[0].route: expected a list, got a mapping" },
        { "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec:\n  host: r\n  trafficPolicy: {loadBalancer: {simple: FASTEST}}\n", "spec.trafficPolicy.loadBalancer.simple: invalid value \"FASTEST\"; expected one of UNSPECIFIED, LEAST_CONN, RANDOM, PASSTHROUGH, ROUND_ROBIN, LEAST_REQUEST" },
        { "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g}\nspec:\n  servers: [{port: {number: http, name: http, protocol: HTTP}, hosts: [\"*\"]}]\n", "spec.servers[0].port.number: expected an integer, got \"http\"" },
        { "kind: VirtualService\nmetadata: {name: x}\nspec: {}\n", "mesh-config/test.yaml (document 1, line 1) VirtualService/x: apiVersion: apiVersion is required" },
        { "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {namespace: default}\n", "metadata.name: metadata.name is required" },
        { "apiVersion: networking.istio.io/v1\nkind: EnvoyFilter\nmetadata: {name: x}\n", "kind: unsupported kind \"EnvoyFilter\"" },
        { "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: x\n", "mesh-config/test.yaml (document 1, line 4): YAML syntax error at line 4" },

        // VirtualService rules
        { Vs("  - route:\n    - destination: {host: reviews, subset: v1}\n      weight: 0\n    - destination: {host: reviews, subset: v2}\n      weight: 0\n"), "VirtualService/reviews: spec.http[0].route: total destination weight = 0" },
        { Vs("  - route:\n    - destination: {host: reviews}\n      weight: -5\n"), "spec.http[0].route[0].weight: weight -5 < 0" },
        { Vs("  - match: [{uri: {regex: \"([a-z\"}}]\n    route: [{destination: {host: reviews}}]\n"), "spec.http[0].match[0].uri.regex: invalid regex" },
        { Vs("  - match: [{uri: {regex: \"/(?!admin).*\"}}]\n    route: [{destination: {host: reviews}}]\n"), "spec.http[0].match[0].uri.regex: invalid regex" },
        { Vs("  - match: [{uri: {exact: /a, prefix: /b}}]\n    route: [{destination: {host: reviews}}]\n"), "spec.http[0].match[0].uri: only one of exact, prefix or regex may be set" },
        { Vs("  - retries: {attempts: -1}\n    route: [{destination: {host: reviews}}]\n"), "spec.http[0].retries.attempts: attempts cannot be negative" },
        { Vs("  - retries: {attempts: 2, perTryTimeout: 0s}\n    route: [{destination: {host: reviews}}]\n"), "spec.http[0].retries.perTryTimeout: duration must be greater than 1ms" },
        { Vs("  - fault: {}\n    route: [{destination: {host: reviews}}]\n"), "spec.http[0].fault: HTTP fault injection must have an abort and/or a delay" },
        { Vs("  - fault: {abort: {httpStatus: 503, percentage: {value: 120}}}\n    route: [{destination: {host: reviews}}]\n"), "spec.http[0].fault.abort.percentage.value: percentage 120 is neither 0.0, nor in range [0.0001, 100.0]" },
        { Vs("  - mirror: {host: ratings}\n    mirrorPercentage: {value: 101}\n    route: [{destination: {host: reviews}}]\n"), "spec.http[0].mirrorPercentage.value: mirror percentage must be in range 0..100" },
        { Vs("  - delegate: {name: reviews-delegate}\n"), "spec.http[0].delegate: delegate is not supported" },
        { Vs("  - match: [{uri: {prefix: /}}]\n"), "spec.http[0].route: HTTP route, redirect or directResponse is required" },
        { Vs("  - route: [{destination: {subset: v1}}]\n"), "spec.http[0].route[0].destination.host: destination host is required" },
        { "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: db}\nspec:\n  hosts: [mysql]\n  tcp: [{match: [{port: 3306}]}]\n", "VirtualService/db: spec.tcp[0].route: TCP route is required" },
        { "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: db}\nspec:\n  hosts: [mysql]\n  tcp: [{match: [{destinationSubnets: [10.0.0.0/33]}], route: [{destination: {host: mysql}}]}]\n", "spec.tcp[0].match[0].destinationSubnets[0]: 10.0.0.0/33 is not a valid CIDR block" },
        { "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: web}\nspec:\n  hosts: [\"*.example.com\"]\n  tls: [{match: [{port: 443}], route: [{destination: {host: web}}]}]\n", "spec.tls[0].match[0].sniHosts: TLS match must have at least one SNI host" },
        { "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: web}\nspec:\n  hosts: [\"*.example.com\"]\n  tls: [{match: [{sniHosts: [a.example.org]}], route: [{destination: {host: web}}]}]\n", "spec.tls[0].match[0].sniHosts[0]: SNI host \"a.example.org\" is not a compatible subset of any of the virtual service hosts: [*.example.com]" },
        { "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: web}\nspec:\n  hosts: [web]\n  tls: [{route: [{destination: {host: web}}]}]\n", "spec.tls[0].match: TLS route must have at least one match condition" },
        { "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: all}\nspec:\n  hosts: [\"*\"]\n  http: [{route: [{destination: {host: reviews}}]}]\n", "spec.hosts[0]: wildcard host * is not allowed for virtual services bound to the mesh gateway" },
        { "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: none}\nspec:\n  http: [{route: [{destination: {host: reviews}}]}]\n", "spec.hosts: at least one host is required" },

        // DestinationRule rules
        { "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec:\n  subsets: [{name: v1}]\n", "DestinationRule/r: spec.host: host is required" },
        { "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec:\n  host: r\n  subsets: [{name: v1}, {name: v1}]\n", "spec.subsets[1].name: duplicate subset names: v1" },
        { "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec:\n  host: r\n  subsets: [{name: V_1}]\n", "spec.subsets[0].name: subset name is invalid: V_1" },
        { "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec:\n  host: r\n  trafficPolicy: {tls: {mode: MUTUAL}}\n", "spec.trafficPolicy.tls.clientCertificate: client certificate required for mutual tls" },
        { "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec:\n  host: r\n  trafficPolicy: {loadBalancer: {simple: RANDOM, consistentHash: {useSourceIp: true}}}\n", "spec.trafficPolicy.loadBalancer: only one of simple or consistentHash may be set" },
        { "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec:\n  host: r\n  trafficPolicy: {outlierDetection: {maxEjectionPercent: 150}}\n", "spec.trafficPolicy.outlierDetection.maxEjectionPercent: percentage 150 is not in range 0..100" },
        { "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec:\n  host: r\n  trafficPolicy: {retryBudget: {percent: 120}}\n", "spec.trafficPolicy.retryBudget.percent: percent must be between 0 and 100 (got 120)" },

        // Gateway rules
        { "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g}\nspec:\n  servers: [{port: {number: 443, name: https, protocol: HTTPS}, hosts: [\"*\"]}]\n", "Gateway/g: spec.servers[0].tls: server must have TLS settings for HTTPS/TLS protocols" },
        { "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g}\nspec:\n  servers: [{port: {number: 443, name: tls, protocol: TLS}, hosts: [\"*\"], tls: {mode: OPTIONAL_MUTUAL}}]\n", "spec.servers[0].tls.mode: TLS mode OPTIONAL_MUTUAL is not supported" },
        { "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g}\nspec:\n  servers: [{port: {number: 53, name: dns, protocol: UDP}, hosts: [\"*\"]}]\n", "spec.servers[0].port.protocol: protocol UDP is not supported" },
        { "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g}\nspec:\n  servers: [{port: {number: 443, name: tls, protocol: TLS}, hosts: [\"*\"]}]\n", "spec.servers[0].tls: server must have TLS settings for HTTPS/TLS protocols" },
        { "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g}\nspec:\n  servers: [{port: {number: 80, name: http, protocol: HTTP}}]\n", "spec.servers[0].hosts: server config must contain at least one host" },
        { "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g}\nspec:\n  servers: [{port: {number: 70000, name: http, protocol: HTTP}, hosts: [\"*\"]}]\n", "spec.servers[0].port.number: port number 70000 must be in the range 1..65535" },

        // ServiceEntry rules
        { "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: se}\nspec:\n  hosts: [api.example.com]\n  ports: [{number: 80, name: http, protocol: HTTP}]\n  resolution: NONE\n  endpoints: [{address: 1.2.3.4}]\n", "ServiceEntry/se: spec.endpoints: no endpoints should be provided for resolution type none" },
        { "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: se}\nspec:\n  hosts: [api.example.com]\n  ports: [{number: 80, name: http, protocol: HTTP}]\n  resolution: STATIC\n  endpoints: [{address: not-an-ip}]\n", "spec.endpoints[0].address: endpoint address \"not-an-ip\" is not a valid IP address" },

        // Sidecar
        { "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: s}\nspec:\n  egress: [{hosts: [reviews]}]\n", "Sidecar/s: spec.egress[0].hosts[0]: host must be of form namespace/dnsName, got \"reviews\"" },

        // Security and telemetry
        { "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: p}\nspec:\n  portLevelMtls: {\"8080\": {mode: DISABLE}}\n", "PeerAuthentication/p: spec.portLevelMtls: mesh/namespace peer authentication cannot have port level mTLS" },
        { "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: a}\nspec:\n  action: CUSTOM\n  provider: {name: ext}\n  rules: [{}]\n", "AuthorizationPolicy/a: spec.provider.name: extension provider \"ext\" is not defined in the mesh config" },
        { "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: a}\nspec:\n  rules: [{to: [{operation: {ports: [http]}}]}]\n", "spec.rules[0].to[0].operation.ports[0]: invalid port http" },
        { "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: a}\nspec:\n  rules: [{from: [{source: {ipBlocks: [10.0.0.0/99]}}]}]\n", "spec.rules[0].from[0].source.ipBlocks[0]: 10.0.0.0/99 is not a valid CIDR block" },
        { "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: a}\nspec:\n  rules: [{to: [{operation: {paths: [\"*/a*\"]}}]}]\n", "spec.rules[0].to[0].operation.paths[0]: invalid value \"*/a*\": a value starting and ending with '*' is not supported" },
        { "apiVersion: security.istio.io/v1\nkind: RequestAuthentication\nmetadata: {name: r}\nspec:\n  jwtRules: [{audiences: [a]}]\n", "RequestAuthentication/r: spec.jwtRules[0].issuer: issuer or jwksUri must be non-empty string" },
        { "apiVersion: security.istio.io/v1\nkind: RequestAuthentication\nmetadata: {name: r}\nspec:\n  jwtRules: [{issuer: i, fromHeaders: [{prefix: x}]}]\n", "spec.jwtRules[0].fromHeaders[0].name: location header name must be non-empty string" },
        { "apiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: {name: t}\nspec:\n  tracing: [{randomSamplingPercentage: 150}]\n", "Telemetry/t: spec.tracing[0].randomSamplingPercentage: randomSamplingPercentage must be in range [0.0, 100.0]" },
    };

    [Theory]
    [MemberData(nameof(BadDocuments))]
    public void Bad_document_reports_the_field_and_reason(string yaml, string expected)
    {
        var errors = Errors(yaml);

        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Error_text_names_origin_document_object_path_and_message()
    {
        var yaml = "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g}\nspec:\n  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [\"*\"]}]\n---\n"
            + Vs("  - route:\n    - destination: {host: reviews, subset: v1}\n      weight: 0\n    - destination: {host: reviews, subset: v2}\n      weight: 0\n");

        var error = Assert.Single(Errors(yaml));

        Assert.Equal("mesh-config/test.yaml (document 2, line 13) VirtualService/reviews: spec.http[0].route: total destination weight = 0", error);
    }

    [Fact]
    public void Every_error_of_a_document_is_reported_not_only_the_first()
    {
        var errors = Errors(Vs("  - foo: 1\n    timeout: abc\n    retries: {attempts: x}\n    route: [{destination: {host: reviews}}]\n"));

        Assert.Equal(3, errors.Count);
    }

    [Fact]
    public void Duplicate_kind_namespace_name_in_one_set_is_an_error()
    {
        var objects = ConfigParser.Parse(RepositoryFiles.ReadSample("destination-rule-all.yaml"), "a.yaml").Objects
            .Concat(ConfigParser.Parse(RepositoryFiles.ReadSample("destination-rule-reviews.yaml"), "b.yaml").Objects)
            .ToList();

        var error = Assert.Single(ConfigValidator.Validate(objects));

        Assert.Equal("b.yaml (document 1, line 4) DestinationRule/reviews: metadata.name: duplicate DestinationRule \"reviews\" in namespace \"default\" (first defined in a.yaml (document 2))", error.ToString());
    }

    [Fact]
    public void Kubectl_output_metadata_and_status_are_accepted_and_lists_are_expanded()
    {
        var yaml = """
            apiVersion: v1
            kind: List
            items:
            - apiVersion: networking.istio.io/v1beta1
              kind: DestinationRule
              metadata:
                name: reviews
                namespace: bookinfo
                uid: 0b8a
                resourceVersion: "812"
                generation: 2
                creationTimestamp: "2024-01-01T00:00:00Z"
                labels: {team: books}
              spec: {host: reviews, subsets: [{name: v1, labels: {version: v1}}]}
              status: {observedGeneration: 2}
            """;

        var result = ConfigParser.Parse(yaml, "kubectl");

        Assert.Empty(result.Errors);
        var item = Assert.Single(result.Objects);
        Assert.Equal(("DestinationRule/bookinfo/reviews", "books"), (item.Key, item.Metadata.Labels["team"]));
        Assert.Contains("host: reviews", item.SourceText, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_input_and_default_namespace_are_supported()
    {
        var result = ConfigParser.Parse("""{"apiVersion":"networking.istio.io/v1alpha3","kind":"VirtualService","metadata":{"name":"r"},"spec":{"hosts":["r"],"http":[{"route":[{"destination":{"host":"r"}}]}]}}""", "api request");

        var item = Assert.Single(result.Objects);
        Assert.Equal("default", item.Metadata.Namespace);
        Assert.Empty(ConfigValidator.Validate(result.Objects));
    }

    [Theory]
    [InlineData("1s", 1000)]
    [InlineData("0.5s", 500)]
    [InlineData("100ms", 100)]
    [InlineData("1m", 60_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1.5s", 1500)]
    public void Durations_use_istio_text(string text, int milliseconds)
    {
        Assert.True(IstioDuration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
        Assert.True(IstioDuration.TryParse(IstioDuration.Format(value), out var again));
        Assert.Equal(value, again);
    }

    [Theory]
    [InlineData("vs", "VirtualService")]
    [InlineData("VirtualServices", "VirtualService")]
    [InlineData("dr", "DestinationRule")]
    [InlineData("gw", "Gateway")]
    [InlineData("se", "ServiceEntry")]
    [InlineData("sidecar", "Sidecar")]
    [InlineData("pa", "PeerAuthentication")]
    [InlineData("ap", "AuthorizationPolicy")]
    [InlineData("ra", "RequestAuthentication")]
    [InlineData("telemetries", "Telemetry")]
    [InlineData("destinationrules.networking.istio.io", "DestinationRule")]
    public void Kind_names_parse_case_insensitively_with_plurals_and_short_names(string text, string kind)
    {
        Assert.True(ConfigKinds.TryParse(text, out var parsed));
        Assert.Equal(kind, parsed.Kind);
    }

    [Fact]
    public void Serializer_quotes_strings_that_yaml_would_read_as_other_types()
    {
        var objects = ConfigParser.Parse("""
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: r, labels: {version: "1", enabled: "true"}}
            spec:
              hosts: ["*.example.com"]
              gateways: [web]
              http:
              - match: [{headers: {x-flag: {exact: "yes"}, x-any: {}}}]
                route: [{destination: {host: r}}]
            """, "t").Objects;

        var yaml = ConfigSerializer.ToYaml(objects[0]);
        var again = ConfigParser.Parse(yaml, "again");

        Assert.Contains("\"1\"", yaml, StringComparison.Ordinal);
        Assert.Contains("\"yes\"", yaml, StringComparison.Ordinal);
        Assert.Empty(again.Errors);
        Assert.Equal(objects[0].Spec, again.Objects[0].Spec);
        Assert.Equal(objects[0].Metadata, again.Objects[0].Metadata);
    }
}
