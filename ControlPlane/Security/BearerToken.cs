using Grpc.Core;

namespace Mesh.ControlPlane.Security;

/// <summary>Reads <c>authorization: Bearer &lt;token&gt;</c> from gRPC call metadata.</summary>
internal static class BearerToken
{
    private const string Scheme = "Bearer ";

    public static string? From(Metadata headers)
    {
        var header = headers.GetValue("authorization");
        if (header is null || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = header[Scheme.Length..].Trim();
        return token.Length == 0 ? null : token;
    }
}
