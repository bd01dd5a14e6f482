using Mesh.Config.Loading;
using Mesh.Config.Validation;

namespace Mesh.Config.Tests.GatewayApi;

/// <summary>
/// What the Gateway API CRDs (schema and CEL rules) refuse is refused here with the API server's
/// message at the field path; what they admit is accepted (and its status says what the mesh made
/// of it).
/// </summary>
public sealed class GatewayApiValidationTests
{
    private static IReadOnlyList<string> Errors(string yaml)
    {
        var parsed = ConfigParser.Parse(yaml, "mesh-config/gw.yaml");
        return [.. parsed.Errors.Concat(ConfigValidator.Validate(parsed.Objects)).Select(e => e.ToString())];
    }

    private static string Route(string rules) =>
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec:\n  parentRefs: [{name: gw}]\n  rules:\n" + rules;

    private static string Gateway(string listeners) =>
        "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw}\nspec:\n  gatewayClassName: istio\n  listeners:\n" + listeners;

    public static TheoryData<string, string> BadDocuments() => new()
    {
        // HTTPRoute
        { Route("  - matches: [{path: {type: Exact, value: productpage}}]\n"), "HTTPRoute/r: spec.rules[0].matches[0].path: value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']" },
        { Route("  - matches: [{path: {type: PathPrefix, value: /a//b}}]\n"), "spec.rules[0].matches[0].path: must not contain '//' when type one of ['Exact', 'PathPrefix']" },
        { Route("  - matches: [{path: {type: Prefix, value: /a}}]\n"), "spec.rules[0].matches[0].path.type: invalid value \"Prefix\"; expected one of Exact, PathPrefix, RegularExpression" },
        { Route("  - matches: [{headers: [{name: x-a, value: 1}, {name: X-A, value: 2}]}]\n"), "spec.rules[0].matches[0].headers[1].name: Duplicate value: \"X-A\"" },
        { Route("  - matches: [{method: FETCH}]\n"), "spec.rules[0].matches[0].method: invalid value \"FETCH\"; expected one of GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH" },
        { Route("  - backendRefs: [{name: reviews}]\n"), "spec.rules[0].backendRefs[0]: Must have port for Service reference" },
        { Route("  - backendRefs: [{name: reviews, port: 9080, weight: 1000001}]\n"), "spec.rules[0].backendRefs[0].weight: Invalid value: 1000001: must be between 0 and 1000000, inclusive" },
        { Route("  - backendRefs: [{name: reviews, port: 70000}]\n"), "spec.rules[0].backendRefs[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive" },
        { Route("  - filters: [{type: RequestHeaderModifier}]\n"), "spec.rules[0].filters[0]: filter.requestHeaderModifier must be specified for RequestHeaderModifier filter.type" },
        { Route("  - filters: [{type: URLRewrite, requestRedirect: {scheme: https}}]\n"), "spec.rules[0].filters[0].requestRedirect: filter.requestRedirect must be nil if the filter.type is not RequestRedirect" },
        { Route("  - filters: [{type: RequestRedirect, requestRedirect: {scheme: https}}, {type: URLRewrite, urlRewrite: {hostname: a.b}}]\n"), "spec.rules[0].filters: May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both" },
        { Route("  - filters: [{type: RequestRedirect, requestRedirect: {scheme: https}}, {type: RequestRedirect, requestRedirect: {scheme: http}}]\n"), "spec.rules[0].filters: RequestRedirect filter cannot be repeated" },
        { Route("  - filters: [{type: RequestRedirect, requestRedirect: {statusCode: 304}}]\n"), "spec.rules[0].filters[0].requestRedirect.statusCode: Unsupported value: 304: supported values: 301, 302, 303, 307, 308" },
        { Route("  - filters: [{type: RequestRedirect, requestRedirect: {scheme: ftp}}]\n"), "spec.rules[0].filters[0].requestRedirect.scheme: Unsupported value: \"ftp\"" },
        { Route("  - filters: [{type: RequestRedirect, requestRedirect: {scheme: https}}]\n    backendRefs: [{name: reviews, port: 9080}]\n"), "spec.rules[0]: RequestRedirect filter must not be used together with backendRefs" },
        { Route("  - matches: [{path: {type: Exact, value: /a}}]\n    filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /b}}}]\n"), "spec.rules[0]: When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified" },
        { Route("  - filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplaceFullPath}}}]\n"), "spec.rules[0].filters[0].urlRewrite.path: replaceFullPath must be specified when type is set to 'ReplaceFullPath'" },
        { Route("  - filters: [{type: RequestMirror, requestMirror: {backendRef: {name: m, port: 80}, percent: 10, fraction: {numerator: 1}}}]\n"), "spec.rules[0].filters[0].requestMirror: Only one of percent or fraction may be specified in HTTPRequestMirrorFilter" },
        { Route("  - filters: [{type: RequestMirror, requestMirror: {backendRef: {name: m, port: 80}, fraction: {numerator: 5, denominator: 4}}}]\n"), "spec.rules[0].filters[0].requestMirror.fraction: numerator must be less than or equal to denominator" },
        { Route("  - filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: \"bad header\", value: x}]}}]\n"), "spec.rules[0].filters[0].requestHeaderModifier.set[0].name: Invalid value: \"bad header\"" },
        { Route("  - timeouts: {request: 10 seconds}\n"), "spec.rules[0].timeouts.request: Invalid value: \"10 seconds\": must be a Gateway API duration such as 10s, 500ms or 1h30m" },
        { Route("  - timeouts: {request: 1s, backendRequest: 2s}\n"), "spec.rules[0].timeouts: backendRequest timeout cannot be longer than request timeout" },
        { Route("  - name: a\n  - name: a\n"), "spec.rules[1].name: Rule name must be unique within the route" },
        { "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec:\n  parentRefs: [{name: gw}, {name: gw}]\n", "HTTPRoute/r: spec.parentRefs: sectionName must be specified when parentRefs includes 2 or more references to the same parent" },
        { "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec:\n  hostnames: [\"Bookinfo.Example.com\"]\n", "spec.hostnames[0]: Invalid value: \"Bookinfo.Example.com\"" },

        // Gateway
        { Gateway("  - {name: http, port: 80, protocol: HTTP, tls: {certificateRefs: [{name: c}]}}\n"), "Gateway.gateway.networking.k8s.io/gw: spec.listeners: tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']" },
        { Gateway("  - {name: a, port: 80, protocol: HTTP}\n  - {name: a, port: 81, protocol: HTTP}\n"), "spec.listeners: Listener name must be unique within the Gateway" },
        { Gateway("  - {name: a, port: 80, protocol: HTTP}\n  - {name: b, port: 80, protocol: HTTP}\n"), "spec.listeners: Combination of port, protocol and hostname must be unique for each listener" },
        { Gateway("  - {name: a, port: 443, protocol: HTTPS, tls: {mode: Terminate}}\n"), "spec.listeners[0].tls: certificateRefs or options must be specified when mode is Terminate" },
        { Gateway("  - {name: a, port: 443, protocol: TLS, tls: {certificateRefs: [{name: c}]}}\n"), "spec.listeners: tls mode must be set for protocol TLS" },
        { Gateway("  - {name: a, port: 9000, protocol: TCP, hostname: a.example.com}\n"), "spec.listeners: hostname must not be specified for protocols ['TCP', 'UDP']" },
        { Gateway("  - {name: a, port: 0, protocol: HTTP}\n"), "spec.listeners[0].port: Invalid value: 0: must be between 1 and 65535, inclusive" },
        { Gateway("  - {name: A, port: 80, protocol: HTTP}\n"), "spec.listeners[0].name: Invalid value: \"A\"" },
        { Gateway("  - {name: a, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Elsewhere}}}\n"), "spec.listeners[0].allowedRoutes.namespaces.from: invalid value \"Elsewhere\"; expected one of All, Selector, Same, None" },
        { Gateway("  - {name: a, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Selector, selector: {matchExpressions: [{key: team, operator: In}]}}}}\n"), "spec.listeners[0].allowedRoutes.namespaces.selector.matchExpressions[0].values: Required value" },
        { "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw}\nspec:\n  listeners: [{name: a, port: 80, protocol: HTTP}]\n", "spec.gatewayClassName: Required value" },
        { "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: gw}\nspec:\n  gatewayClassName: istio\n", "spec.listeners: Required value: a Gateway needs at least one listener" },

        // GRPCRoute, ReferenceGrant, TCPRoute/TLSRoute, GatewayClass, Service
        { "apiVersion: gateway.networking.k8s.io/v1\nkind: GRPCRoute\nmetadata: {name: g}\nspec:\n  rules: [{matches: [{method: {type: Exact}}]}]\n", "GRPCRoute/g: spec.rules[0].matches[0].method: One or both of 'service' or 'method' must be specified" },
        { "apiVersion: gateway.networking.k8s.io/v1\nkind: GRPCRoute\nmetadata: {name: g}\nspec:\n  rules: [{filters: [{type: URLRewrite, urlRewrite: {hostname: a}}]}]\n", "spec.rules[0].filters[0].type: Unsupported value: \"URLRewrite\"" },
        { "apiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\nmetadata: {name: g}\nspec:\n  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute}]\n  to: [{group: \"\", kind: Service}]\n", "ReferenceGrant/g: spec.from[0].namespace: Required value" },
        { "apiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\nmetadata: {name: g}\nspec:\n  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: a}]\n", "spec.to: Required value: at least one 'to' entry" },
        { "apiVersion: gateway.networking.k8s.io/v1alpha2\nkind: TCPRoute\nmetadata: {name: t}\nspec:\n  rules: [{backendRefs: []}]\n", "TCPRoute/t: spec.rules[0].backendRefs: Required value: at least one backendRef" },
        { "apiVersion: gateway.networking.k8s.io/v1\nkind: TLSRoute\nmetadata: {name: t}\nspec:\n  rules: [{backendRefs: [{name: a, port: 443}]}]\n", "TLSRoute/t: spec.hostnames: Required value: a v1 TLSRoute needs at least one hostname" },
        { "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: c}\nspec:\n  controllerName: istio\n", "GatewayClass/c: spec.controllerName: Invalid value: \"istio\"" },
        { "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: [{port: 80}, {port: 81}]\n", "Service/s: spec.ports[0].name: Required value: ports must be named when a Service has more than one" },
        { "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: [{name: http, port: 80, targetPort: not_a_name}]\n", "spec.ports[0].targetPort: Invalid value: \"not_a_name\"" },
        { "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  type: ExternalName\n  externalName: example.com\n", "spec.type: ExternalName Services are not supported by the mesh (use a ServiceEntry with resolution DNS)" },
        { "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: [{name: http, port: 80}]\n  selektor: {app: a}\n", "Service/s: spec.selektor: unknown field \"selektor\"" },
        { "apiVersion: v2\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80}]}\n", "apiVersion: unsupported apiVersion \"v2\" for Service (supported: v1)" },
    };

    [Theory]
    [MemberData(nameof(BadDocuments))]
    public void Bad_document_reports_the_error_at_its_field_path(string yaml, string expected)
    {
        var errors = Errors(yaml);

        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Values_the_CRDs_admit_are_accepted_even_where_the_mesh_cannot_honour_them()
    {
        // An invalid regular expression, an ExtensionRef filter and a UDP listener are valid API
        // objects: the Route's or Gateway's status says why they are not programmed.
        var errors = Errors(Route("  - matches: [{path: {type: RegularExpression, value: \"/([a-z\"}}]\n    filters: [{type: ExtensionRef, extensionRef: {group: example.com, kind: Filter, name: f}}]\n")
            + "---\n" + Gateway("  - {name: udp, port: 53, protocol: UDP}\n"));

        Assert.Empty(errors);
    }
}
