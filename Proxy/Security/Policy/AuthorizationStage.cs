using Mesh.Proxy.Core.Identity;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Pipeline;
using Mesh.Proxy.Core.Routing;
using Mesh.Proxy.Security.Authorization;
using Mesh.Proxy.Security.ExtAuthz;
using Mesh.Proxy.Security.Jwt;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Mesh.Proxy.Security.Policy;

/// <summary>
/// <see cref="ProxyStage.Authorization"/> (Envoy's rbac): the AuthorizationPolicies of inbound
/// listeners (principals from the mTLS peer and the JWT) and of the gateway (principals from JWTs
/// only: a gateway has no mesh peer). A refused request gets 403; AUDIT policies are logged. On a
/// gateway this runs before the route's faults, redirects, direct responses and mirrors, as in Envoy.
/// CUSTOM policies (Envoy's ext_authz, which precedes rbac) send the requests they select to their
/// external authorizer first.
/// </summary>
internal sealed partial class AuthorizationStage
{
    private readonly RequestDelegate _next;
    private readonly ILogger _logger;
    private readonly ILogger _audit;
    private readonly ExtAuthzCaller _extAuthz;

    public AuthorizationStage(RequestDelegate next, ILoggerFactory loggers, ExtAuthzCaller extAuthz)
    {
        _extAuthz = extAuthz;
        _next = next;
        _logger = loggers.CreateLogger<AuthorizationStage>();
        _audit = loggers.CreateLogger("Mesh.Proxy.Audit");
    }

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Features.Get<RoutingResult>()!;
        var listener = request.Listener;
        if (listener.Kind is not (ListenerKind.Inbound or ListenerKind.Gateway)
            || request.Model?.FeatureModels.Get<InboundSecurityModel>() is not { Authorization.IsEmpty: false } security)
        {
            return _next(context);
        }

        var peer = listener.Kind == ListenerKind.Inbound ? context.Features.Get<MeshPeerIdentityFeature>() : null;
        var user = context.Features.Get<JwtPrincipal>();
        if (security.Authorization.Custom.Length > 0
            && security.Authorization.CustomProviders(new AuthorizationInput(context, listener, peer, user)) is { } providers)
        {
            return CheckExternallyAsync(context, listener, security, providers, peer, user);
        }

        return Authorize(context, listener, security.Authorization, peer, user)
            ? _next(context)
            : SecurityReply.Forbidden(context);
    }

    // Envoy's ext_authz runs before rbac: a CUSTOM denial wins; an allowed request goes on to DENY and ALLOW.
    private async Task CheckExternallyAsync(HttpContext context, MeshListener listener, InboundSecurityModel security, List<string> providers, MeshPeerIdentityFeature? peer, JwtPrincipal? user)
    {
        foreach (var name in providers)
        {
            if (await _extAuthz.CheckAsync(context, security.ExtAuthz[name]) is { } reply)
            {
                await SecurityReply.ExtAuthz(context, reply.Status, reply.ClientHeaders, reply.Body);
                return;
            }
        }

        await (Authorize(context, listener, security.Authorization, peer, user) ? _next(context) : SecurityReply.Forbidden(context));
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
        [LoggerMessage(3, LogLevel.Debug, "RBAC denied {Method} {Path} on {Listener} from {Principal}: {Policy}.")]
        public static partial void Denied(ILogger logger, string listener, string method, string path, string principal, string policy);

        [LoggerMessage(4, LogLevel.Information, "AUDIT {Policy}: {Method} {Path} from {Principal} (request principal {RequestPrincipal}).")]
        public static partial void Audited(ILogger logger, string policy, string method, string path, string principal, string requestPrincipal);
    }
}
