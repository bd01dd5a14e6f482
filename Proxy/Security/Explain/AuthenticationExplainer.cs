using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Explain;
using Mesh.Proxy.Core.Identity;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Security.Jwt;
using Mesh.Proxy.Security.Policy;
using Microsoft.AspNetCore.Http;

namespace Mesh.Proxy.Security.Explain;

/// <summary>
/// <see cref="ProxyStage.Authentication"/> explained: the inbound port's mTLS mode (PeerAuthentication)
/// against the caller's connection, and the JWT verdict of <see cref="JwtAuthenticator"/> — the
/// authenticator the stage runs — on the request's tokens.
/// </summary>
internal sealed class AuthenticationExplainer(JwtAuthenticator jwt) : IRequestExplainer
{
    public ProxyStage Stage => ProxyStage.Authentication;

    public async ValueTask ExplainAsync(ExplainContext context)
    {
        var listener = context.Routing.Listener;
        if (listener.Kind is not (ListenerKind.Inbound or ListenerKind.Gateway)
            || context.Routing.Model?.FeatureModels.Get<InboundSecurityModel>() is not { } security)
        {
            return;
        }

        if (listener.Kind == ListenerKind.Inbound)
        {
            var mode = security.ModeFor(listener);
            var peer = context.HttpContext.Features.Get<MeshPeerIdentityFeature>();
            context.Set("inbound_mtls_mode", MtlsModeName(mode));
            context.Set("source_principal", peer?.Identity.Principal ?? "");
            if (peer is null && mode == MtlsMode.Strict)
            {
                context.Add(new ExplainStep(nameof(ProxyStage.Authentication), "refused", $"port {listener.ServicePort} is STRICT and the caller is plaintext: the connection is refused"));
                context.End(0, "plaintext connection refused (STRICT mTLS)");
                return;
            }

            context.Add(new ExplainStep(nameof(ProxyStage.Authentication), peer is null ? "plaintext" : "mTLS",
                $"port {listener.ServicePort} is {MtlsModeName(mode)}; {(peer is null ? "the caller is plaintext (no peer identity)" : $"the caller is {peer.Identity.Principal} over mesh mTLS")}"));
        }

        if (security.Jwt.IsEmpty)
        {
            return;
        }

        var outcome = await jwt.AuthenticateAsync(context.HttpContext, security.Jwt);
        var issuers = string.Join(", ", security.Jwt.Rules.Select(r => r.Issuer.Length == 0 ? "*" : r.Issuer).Distinct());
        if (outcome.Failed)
        {
            context.Set("jwt", "invalid");
            context.Add(new ExplainStep("Authentication (JWT)", "401", $"a token is present but rejected: {outcome.Error} (RequestAuthentication issuers: {issuers})"));
            context.End(StatusCodes.Status401Unauthorized, "JWT rejected: " + outcome.Error);
            return;
        }

        if (outcome.Principal is { } principal)
        {
            context.HttpContext.Features.Set(principal);
            context.Set("jwt", "valid");
            context.Set("request_principal", principal.Principal);
            context.Add(new ExplainStep("Authentication (JWT)", "valid", $"request principal {principal.Principal} (issuer {principal.Issuer})"));
        }
        else
        {
            context.Set("jwt", "none");
            context.Add(new ExplainStep("Authentication (JWT)", "no token", $"no token in the locations RequestAuthentication names (issuers: {issuers}); the request goes on without an end-user, authorization decides"));
        }
    }

    private static string MtlsModeName(MtlsMode mode) => mode switch
    {
        MtlsMode.Strict => "STRICT",
        MtlsMode.Disable => "DISABLE",
        _ => "PERMISSIVE",
    };
}
