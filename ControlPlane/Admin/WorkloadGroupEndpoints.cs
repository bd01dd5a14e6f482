using System.Globalization;
using Mesh.ControlPlane.Common;
using Mesh.ControlPlane.Configuration;
using Mesh.ControlPlane.Gateways;
using Mesh.ControlPlane.Identity;
using Mesh.ControlPlane.Security;
using Microsoft.Extensions.Options;

namespace Mesh.ControlPlane.Admin;

/// <summary>
/// <c>POST /api/v1/workloadgroups/{namespace}/{name}/token[?expirationSeconds=N]</c>
/// (<c>meshctl workload entry configure</c>; Istio's istioctl asks the API server for a service
/// account token the same way): a bootstrap token for a VM of the group — bound to the group and
/// its service account, expiring after <c>expirationSeconds</c> (default 3600, Istio's
/// <c>--tokenDuration</c>; 600 to 2592000) — with what the VM needs besides: the trust domain, the
/// mesh CA's roots and the discovery address as the control plane knows it. The group must be in
/// the accepted configuration (404 otherwise); without a bootstrap key nothing can be issued (409).
/// </summary>
internal static class WorkloadGroupEndpoints
{
    public const int DefaultExpirationSeconds = 3600;
    public const int MinExpirationSeconds = 600;
    public const int MaxExpirationSeconds = 30 * 24 * 3600;

    public static IEndpointRouteBuilder MapWorkloadGroupEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/v1/workloadgroups/{namespace}/{name}/token", IssueToken);
        return endpoints;
    }

    private static IResult IssueToken(
        string @namespace,
        string name,
        HttpRequest request,
        ConfigStore store,
        BootstrapKey key,
        MeshCertificateAuthority ca,
        IOptions<ControlPlaneOptions> options,
        TimeProvider time)
    {
        var seconds = DefaultExpirationSeconds;
        if (request.Query["expirationSeconds"] is { Count: > 0 } given
            && (!int.TryParse(given[0], NumberStyles.None, CultureInfo.InvariantCulture, out seconds) || seconds is < MinExpirationSeconds or > MaxExpirationSeconds))
        {
            return ConfigEndpoints.Message(StatusCodes.Status400BadRequest,
                $"expirationSeconds: '{given[0]}' is not a number of seconds from {MinExpirationSeconds} to {MaxExpirationSeconds}");
        }

        var group = store.Current.Model.WorkloadGroups.FirstOrDefault(g => g.Namespace == @namespace && g.Name == name);
        if (group?.Spec.Template is not { } template)
        {
            return ConfigEndpoints.Message(StatusCodes.Status404NotFound,
                $"WorkloadGroup {@namespace}/{name} is not in the control plane's configuration (apply it first: meshctl apply -f)");
        }

        if (key.Value is not { } secret)
        {
            return ConfigEndpoints.Message(StatusCodes.Status409Conflict,
                "this control plane has no bootstrap key (ControlPlane:Security:BootstrapKeyFile or GenerateBootstrapKey), so it cannot issue a VM's token");
        }

        var account = WorkloadGroupEntitlement.ServiceAccountOf(template);
        var now = time.GetUtcNow();
        var expires = now.AddSeconds(seconds);
        var token = BootstrapToken.Mint(secret, @namespace, account, null, now, expires, name);
        return Results.Json(
            new WorkloadGroupTokenResponse(token, expires, @namespace, name, account, options.Value.TrustDomain, string.Join("\n", ca.TrustBundle.Select(p => p.Trim())) + "\n", DiscoveryAddress(request)),
            AdminJson.Context.WorkloadGroupTokenResponse);
    }

    // Locally, the bound gRPC listener (the TLS one when there is one: a VM's token must not cross a
    // network in clear); in Kubernetes mode the VM reaches the control plane through its Service or the
    // east-west gateway, which only the operator knows (meshctl's --control-plane-address).
    private static string DiscoveryAddress(HttpRequest request) =>
        request.HttpContext.RequestServices.GetService<IControlPlaneEndpoint>() is { } endpoint
            ? (endpoint.SecureDiscovery ?? endpoint.Discovery).ToString()
            : "";
}

/// <summary>The answer of <c>POST /api/v1/workloadgroups/{namespace}/{name}/token</c>.</summary>
internal sealed record WorkloadGroupTokenResponse(
    string Token,
    DateTimeOffset ExpiresAt,
    string Namespace,
    string WorkloadGroup,
    string ServiceAccount,
    string TrustDomain,
    string RootCertificates,
    string DiscoveryAddress);
