using Mesh.Config.Model.Common;

namespace Mesh.Config.Model.GatewayApi;

// The Gateway API's closed string enums, spelled as the API spells them.

/// <summary><c>HTTPPathMatch.type</c> (default PathPrefix).</summary>
public enum PathMatchType
{
    [IstioName("Exact")]
    Exact,
    [IstioName("PathPrefix")]
    PathPrefix,
    [IstioName("RegularExpression")]
    RegularExpression,
}

/// <summary>Header, query parameter and gRPC method match types (default Exact).</summary>
public enum ValueMatchType
{
    [IstioName("Exact")]
    Exact,
    [IstioName("RegularExpression")]
    RegularExpression,
}

/// <summary><c>allowedRoutes.namespaces.from</c> (default Same).</summary>
public enum FromNamespaces
{
    [IstioName("All")]
    All,
    [IstioName("Selector")]
    Selector,
    [IstioName("Same")]
    Same,
    [IstioName("None")]
    None,
}

/// <summary><c>listeners[].tls.mode</c> (default Terminate).</summary>
public enum TlsModeType
{
    [IstioName("Terminate")]
    Terminate,
    [IstioName("Passthrough")]
    Passthrough,
}

/// <summary><c>HTTPRouteFilter.type</c> and <c>GRPCRouteFilter.type</c>.</summary>
public enum RouteFilterType
{
    [IstioName("RequestHeaderModifier")]
    RequestHeaderModifier,
    [IstioName("ResponseHeaderModifier")]
    ResponseHeaderModifier,
    [IstioName("RequestRedirect")]
    RequestRedirect,
    [IstioName("URLRewrite")]
    UrlRewrite,
    [IstioName("RequestMirror")]
    RequestMirror,
    [IstioName("CORS")]
    Cors,
    [IstioName("ExternalAuth")]
    ExternalAuth,
    [IstioName("ExtensionRef")]
    ExtensionRef,
}

/// <summary><c>HTTPPathModifier.type</c>.</summary>
public enum PathModifierType
{
    [IstioName("ReplaceFullPath")]
    ReplaceFullPath,
    [IstioName("ReplacePrefixMatch")]
    ReplacePrefixMatch,
}

/// <summary><c>HTTPRouteMatch.method</c>.</summary>
public enum HttpRouteMethod
{
    Get,
    Head,
    Post,
    Put,
    Delete,
    Connect,
    Options,
    Trace,
    Patch,
}
