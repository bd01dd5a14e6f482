using Mesh.Config.Model.Common;

namespace Mesh.Config.Model.GatewayApi;

/// <summary>One <c>HTTPRouteFilter</c> (or <c>GRPCRouteFilter</c>): its type and the field of that type.</summary>
public sealed record HttpRouteFilter
{
    public RouteFilterType? Type { get; init; }

    public HttpHeaderFilter? RequestHeaderModifier { get; init; }

    public HttpHeaderFilter? ResponseHeaderModifier { get; init; }

    public HttpRequestMirrorFilter? RequestMirror { get; init; }

    public HttpRequestRedirectFilter? RequestRedirect { get; init; }

    public HttpUrlRewriteFilter? UrlRewrite { get; init; }

    public HttpCorsFilter? Cors { get; init; }

    public HttpExternalAuthFilter? ExternalAuth { get; init; }

    public LocalObjectReference? ExtensionRef { get; init; }
}

public sealed record HttpHeaderFilter
{
    public ValueList<HttpHeader> Set { get; init; } = [];

    public ValueList<HttpHeader> Add { get; init; } = [];

    public ValueList<string> Remove { get; init; } = [];
}

public sealed record HttpHeader
{
    public string? Name { get; init; }

    public string? Value { get; init; }
}

public sealed record HttpRequestRedirectFilter
{
    public string? Scheme { get; init; }

    public string? Hostname { get; init; }

    public HttpPathModifier? Path { get; init; }

    public int? Port { get; init; }

    /// <summary>301 or 302; the API's default is 302.</summary>
    public int? StatusCode { get; init; }
}

public sealed record HttpUrlRewriteFilter
{
    public string? Hostname { get; init; }

    public HttpPathModifier? Path { get; init; }
}

public sealed record HttpPathModifier
{
    public PathModifierType? Type { get; init; }

    public string? ReplaceFullPath { get; init; }

    public string? ReplacePrefixMatch { get; init; }
}

public sealed record HttpRequestMirrorFilter
{
    public BackendObjectReference? BackendRef { get; init; }

    public int? Percent { get; init; }

    public Fraction? Fraction { get; init; }
}

public sealed record HttpCorsFilter
{
    public ValueList<string> AllowOrigins { get; init; } = [];

    public bool? AllowCredentials { get; init; }

    public ValueList<string> AllowMethods { get; init; } = [];

    public ValueList<string> AllowHeaders { get; init; } = [];

    public ValueList<string> ExposeHeaders { get; init; } = [];

    public int? MaxAge { get; init; }
}

/// <summary>The experimental <c>ExternalAuth</c> filter: read so it can be refused by name.</summary>
public sealed record HttpExternalAuthFilter
{
    public string? Protocol { get; init; }

    public BackendObjectReference? BackendRef { get; init; }

    public ExternalAuthHeaders? Grpc { get; init; }

    public ExternalAuthHeaders? Http { get; init; }

    public ExternalAuthBody? ForwardBody { get; init; }
}

public sealed record ExternalAuthHeaders
{
    public string? Path { get; init; }

    public ValueList<string> AllowedHeaders { get; init; } = [];

    public ValueList<string> AllowedResponseHeaders { get; init; } = [];
}

public sealed record ExternalAuthBody
{
    public int? MaxSize { get; init; }
}
