using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Discovery;

namespace Mesh.Proxy.Security.Jwt;

/// <summary>
/// Before a snapshot is served, starts fetching the key sets its JWT rules name by URI, in the
/// background, so the first request carrying a token does not wait for them.
/// </summary>
internal sealed class JwksPrefetch(JwksProvider jwks) : ISnapshotGate
{
    public Task<string?> PrepareAsync(ProxySnapshot snapshot, CancellationToken cancellationToken)
    {
        foreach (var rule in snapshot.Inbound?.JwtRules ?? [])
        {
            if (rule.Jwks.Length == 0 && Uri.TryCreate(rule.JwksUri, UriKind.Absolute, out var jwksUri))
            {
                jwks.Prefetch(jwksUri);
            }
        }

        return Task.FromResult<string?>(null);
    }
}
