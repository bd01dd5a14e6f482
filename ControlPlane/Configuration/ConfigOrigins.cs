namespace Mesh.ControlPlane.Configuration;

/// <summary>The <c>source</c> names of configuration that does not come from a file.</summary>
internal static class ConfigOrigins
{
    /// <summary>Objects applied through the admin API (persisted in the data directory).</summary>
    public const string Api = "api";

    /// <summary>The origin used in errors about the body of an admin API request.</summary>
    public const string ApiRequest = "api request";
}
