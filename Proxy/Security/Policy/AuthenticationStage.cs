using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Core.Identity;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Security.Jwt;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Mesh.Proxy.Security.Policy;

/// <summary>
/// <see cref="ProxyStage.Authentication"/> (Envoy's istio_authn, then jwt_authn). On inbound
/// listeners: holds plaintext connections to a port that became STRICT after they were accepted,
/// replaces x-forwarded-client-cert with the verified peer's (or removes it), then authenticates
/// the request's JWTs (401 on a bad one). On gateway listeners: the JWTs of the policies that
/// select the gateway. Elsewhere it only removes caller-supplied x-forwarded-client-cert: identity
/// headers are the inbound sidecar's to set. An authenticated request carries its
/// <see cref="JwtPrincipal"/> as an HttpContext feature for <see cref="AuthorizationStage"/>.
/// </summary>
internal sealed partial class AuthenticationStage
{
    public const string ForwardedClientCertHeader = "x-forwarded-client-cert";

    private readonly RequestDelegate _next;
    private readonly JwtAuthenticator _jwt;
    private readonly ILogger _logger;

    public AuthenticationStage(RequestDelegate next, JwtAuthenticator jwt, ILogger<AuthenticationStage> logger)
    {
        _next = next;
        _jwt = jwt;
        _logger = logger;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Features.Get<RoutingResult>()!;
        var listener = request.Listener;
        var headers = context.Request.Headers;
        headers.Remove(ForwardedClientCertHeader);
        if (listener.Kind is not (ListenerKind.Inbound or ListenerKind.Gateway)
            || request.Model?.FeatureModels.Get<InboundSecurityModel>() is not { } security)
        {
            return _next(context);
        }

        if (listener.Kind == ListenerKind.Inbound)
        {
            var peer = context.Features.Get<MeshPeerIdentityFeature>();
            if (peer is null && security.ModeFor(listener) == MtlsMode.Strict)
            {
                // Accepted while the port was PERMISSIVE; Envoy would have drained it with the old listener.
                Log.PlaintextUnderStrict(_logger, listener.Name);
                context.Abort();
                return Task.CompletedTask;
            }

            if (peer is not null)
            {
                headers[ForwardedClientCertHeader] = peer.ForwardedClientCert;
            }
        }

        return security.Jwt.IsEmpty ? _next(context) : AuthenticateAsync(context, listener, security.Jwt);
    }

    private async Task AuthenticateAsync(HttpContext context, MeshListener listener, JwtRuleSet rules)
    {
        foreach (var header in rules.OutputHeaders)
        {
            context.Request.Headers.Remove(header);
        }

        var outcome = await _jwt.AuthenticateAsync(context, rules);
        if (outcome.Failed)
        {
            Log.Unauthenticated(_logger, listener.Name, outcome.Error!);
            await SecurityReply.Unauthorized(context, outcome.Error!);
            return;
        }

        if (outcome.Principal is { } principal)
        {
            context.Features.Set(principal);
        }

        await _next(context);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Closing a plaintext connection on {Listener}: the port is STRICT now.")]
        public static partial void PlaintextUnderStrict(ILogger logger, string listener);

        [LoggerMessage(2, LogLevel.Debug, "JWT rejected on {Listener}: {Reason}.")]
        public static partial void Unauthenticated(ILogger logger, string listener, string reason);
    }
}
