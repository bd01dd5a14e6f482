using Mesh.Contracts.Snapshots;
using Mesh.Proxy.Listeners;
using Mesh.Proxy.Pipeline;
using Mesh.Proxy.Security.Authorization;
using Mesh.Proxy.Security.Jwt;
using Mesh.Proxy.Security.Tls;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Mesh.Proxy.Security;

/// <summary>
/// The inbound security stage, after routing and before the upstream attempt (Envoy's order:
/// mTLS → jwt_authn → RBAC). On inbound listeners: holds plaintext connections to a port that
/// became STRICT after they were accepted, replaces x-forwarded-client-cert with the verified
/// peer's (or removes it), strips the headers JWT rules write, authenticates JWTs (401) and
/// enforces authorization (403). Gateways enforce the JWT rules and authorization policies that
/// select them (after route matching: a route's own filters, such as fault injection, run first).
/// Elsewhere it only removes caller-supplied x-forwarded-client-cert: identity headers are the
/// inbound sidecar's to set.
/// </summary>
internal sealed partial class MeshSecurityMiddleware
{
    public const string ForwardedClientCertHeader = "x-forwarded-client-cert";

    private readonly RequestDelegate _next;
    private readonly JwtAuthenticator _jwt;
    private readonly ILogger _logger;
    private readonly ILogger _audit;

    public MeshSecurityMiddleware(RequestDelegate next, JwtAuthenticator jwt, ILoggerFactory loggers)
    {
        _next = next;
        _jwt = jwt;
        _logger = loggers.CreateLogger<MeshSecurityMiddleware>();
        _audit = loggers.CreateLogger("Mesh.Proxy.Audit");
    }

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Features.Get<MeshRequestFeature>();
        if (request?.Model is not { } model || request.Listener.Kind != ListenerKind.Inbound)
        {
            context.Request.Headers.Remove(ForwardedClientCertHeader);

            // A gateway enforces the RequestAuthentication and AuthorizationPolicy that select it.
            return request?.Model is { } gatewayModel && request.Listener.Kind == ListenerKind.Gateway
                && !(gatewayModel.InboundSecurity.Jwt.IsEmpty && gatewayModel.InboundSecurity.Authorization.IsEmpty)
                ? EnforceAsync(context, request.Listener, gatewayModel.InboundSecurity, peer: null)
                : _next(context);
        }

        var security = model.InboundSecurity;
        var peer = context.Features.Get<MeshPeerIdentityFeature>();
        if (peer is null && security.ModeFor(request.Listener) == MtlsMode.Strict)
        {
            // Accepted while the port was PERMISSIVE; Envoy would have drained it with the old listener.
            Log.PlaintextUnderStrict(_logger, request.Listener.Name);
            context.Abort();
            return Task.CompletedTask;
        }

        var headers = context.Request.Headers;
        headers.Remove(ForwardedClientCertHeader);
        if (peer is not null)
        {
            headers[ForwardedClientCertHeader] = peer.ForwardedClientCert;
        }

        return security.Jwt.IsEmpty && security.Authorization.IsEmpty
            ? _next(context)
            : EnforceAsync(context, request.Listener, security, peer);
    }

    private async Task EnforceAsync(HttpContext context, MeshListener listener, InboundSecurityModel security, MeshPeerIdentityFeature? peer)
    {
        JwtPrincipal? user = null;
        if (!security.Jwt.IsEmpty)
        {
            foreach (var header in security.Jwt.OutputHeaders)
            {
                context.Request.Headers.Remove(header);
            }

            var outcome = await _jwt.AuthenticateAsync(context, security.Jwt);
            if (outcome.Failed)
            {
                Log.Unauthenticated(_logger, listener.Name, outcome.Error!);
                await SecurityReply.Unauthorized(context, outcome.Error!);
                return;
            }

            user = outcome.Principal;
        }

        if (!security.Authorization.IsEmpty && !Authorize(context, listener, security.Authorization, peer, user))
        {
            await SecurityReply.Forbidden(context);
            return;
        }

        await _next(context);
    }

    private bool Authorize(HttpContext context, MeshListener listener, AuthorizationPolicySet policies, MeshPeerIdentityFeature? peer, JwtPrincipal? user)
    {
        var input = new AuthorizationInput(context, listener, peer, user);
        if (policies.Audit.Length > 0 && policies.AuditMatch(input) is { } audited)
        {
            Log.Audited(_audit, audited, context.Request.Method, context.Request.Path.Value ?? "/", input.SourcePrincipal ?? "-", user?.Principal ?? "-");
        }

        var decision = policies.Evaluate(input);
        if (!decision.Allowed)
        {
            Log.Denied(_logger, listener.Name, context.Request.Method, context.Request.Path.Value ?? "/", input.SourcePrincipal ?? "-", decision.Policy ?? "no ALLOW policy matched");
        }

        return decision.Allowed;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Closing a plaintext connection on {Listener}: the port is STRICT now.")]
        public static partial void PlaintextUnderStrict(ILogger logger, string listener);

        [LoggerMessage(2, LogLevel.Debug, "JWT rejected on {Listener}: {Reason}.")]
        public static partial void Unauthenticated(ILogger logger, string listener, string reason);

        [LoggerMessage(3, LogLevel.Debug, "RBAC denied {Method} {Path} on {Listener} from {Principal}: {Policy}.")]
        public static partial void Denied(ILogger logger, string listener, string method, string path, string principal, string policy);

        [LoggerMessage(4, LogLevel.Information, "AUDIT {Policy}: {Method} {Path} from {Principal} (request principal {RequestPrincipal}).")]
        public static partial void Audited(ILogger logger, string policy, string method, string path, string principal, string requestPrincipal);
    }
}
