using Mesh.Config.Model.Common;

namespace Mesh.Config.Model.Networking;

/// <summary>Istio's <c>CorsPolicy</c>.</summary>
public sealed record CorsPolicy
{
    /// <summary>Deprecated exact-match origins (use <see cref="AllowOrigins"/>).</summary>
    public ValueList<string> AllowOrigin { get; init; } = [];

    public ValueList<StringMatch> AllowOrigins { get; init; } = [];

    public ValueList<string> AllowMethods { get; init; } = [];

    public ValueList<string> AllowHeaders { get; init; } = [];

    public ValueList<string> ExposeHeaders { get; init; } = [];

    public TimeSpan? MaxAge { get; init; }

    public bool? AllowCredentials { get; init; }

    public UnmatchedPreflights? UnmatchedPreflights { get; init; }
}

/// <summary>Istio's <c>CorsPolicy.UnmatchedPreflights</c>.</summary>
public enum UnmatchedPreflights
{
    Unspecified,
    Forward,
    Ignore,
}
