using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace Mesh.ControlPlane.Kubernetes;

/// <summary>
/// Validates a proxy's Kubernetes credential — the projected service account token its pod
/// mounts (audience <see cref="KubernetesOptions.TokenAudience"/>) — with a TokenReview, the way
/// istiod authenticates CSRs: the API server checks signature, expiry, audience and that the pod
/// still exists; the reviewer then only accepts service account users
/// (<c>system:serviceaccount:&lt;ns&gt;:&lt;sa&gt;</c>) whose review confirms the audience.
/// Results are cached briefly by token hash so a reconnect storm is not an API server storm.
/// This is the credential check the CSR API and the discovery stream use in Kubernetes mode.
/// </summary>
internal sealed class KubernetesTokenReviewer(IKubernetes client, IOptions<KubernetesOptions> options, TimeProvider time, ILogger<KubernetesTokenReviewer> logger)
{
    private const string ServiceAccountPrefix = "system:serviceaccount:";
    private readonly ConcurrentDictionary<string, (KubernetesTokenIdentity? Identity, DateTimeOffset Expires)> _cache = new(StringComparer.Ordinal);

    /// <summary>The token's identity, or null when the token is not a valid service account token for the mesh.</summary>
    public async Task<KubernetesTokenIdentity?> ReviewAsync(string token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            return null;
        }

        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(key, out var cached) && cached.Expires > now)
        {
            return cached.Identity;
        }

        V1TokenReview review;
        try
        {
            review = await client.AuthenticationV1.CreateTokenReviewAsync(
                new V1TokenReview
                {
                    ApiVersion = "authentication.k8s.io/v1",
                    Kind = "TokenReview",
                    Spec = new V1TokenReviewSpec { Token = token, Audiences = [options.Value.TokenAudience] },
                },
                cancellationToken: cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not cached: an unreachable API server must not lock proxies out for the cache period.
            KubernetesLog.TokenReviewFailed(logger, ex);
            return null;
        }

        var identity = IdentityOf(review.Status, options.Value.TokenAudience);
        if (_cache.Count > 10_000)
        {
            _cache.Clear();
        }

        _cache[key] = (identity, now + options.Value.TokenReviewCacheDuration);
        return identity;
    }

    private static KubernetesTokenIdentity? IdentityOf(V1TokenReviewStatus? status, string audience)
    {
        if (status is not { Authenticated: true, User.Username: { } username } || !string.IsNullOrEmpty(status.Error))
        {
            return null;
        }

        // An API server that ignores spec.audiences returns none: that is not a confirmation.
        if (status.Audiences is null || !status.Audiences.Contains(audience, StringComparer.Ordinal))
        {
            return null;
        }

        if (!username.StartsWith(ServiceAccountPrefix, StringComparison.Ordinal) || username[ServiceAccountPrefix.Length..].Split(':') is not [{ Length: > 0 } ns, { Length: > 0 } account])
        {
            return null;
        }

        var extra = status.User.Extra;
        return new KubernetesTokenIdentity(ns, account, First(extra, "authentication.kubernetes.io/pod-name"), First(extra, "authentication.kubernetes.io/pod-uid"));
    }

    private static string? First(IDictionary<string, IList<string>>? extra, string key) =>
        extra is not null && extra.TryGetValue(key, out var values) && values.Count > 0 ? values[0] : null;
}
