using System.Globalization;
using Mesh.Proxy.Core.Listeners;
using Mesh.Proxy.Core.Routing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Mesh.Proxy.Core.Pipeline;

/// <summary>
/// The route and per-try timeouts of one exchange: the route's, unless a trusted caller — the local
/// app, on an outbound or HTTP_PROXY listener — overrides them with Envoy's
/// <c>x-envoy-upstream-rq-timeout-ms</c> / <c>x-envoy-upstream-rq-per-try-timeout-ms</c> (0 disables).
/// Callers on inbound and gateway listeners are not trusted: their headers are ignored. The headers
/// are consumed either way (never forwarded), as Envoy's router does. Upgraded connections
/// (WebSockets) get no timers: Envoy starts the route timer when the downstream request ends, which
/// an upgraded stream does not do until it closes.
/// </summary>
internal readonly record struct UpstreamTimeouts(TimeSpan Route, TimeSpan PerTry)
{
    public const string TimeoutHeader = "x-envoy-upstream-rq-timeout-ms";
    public const string PerTryTimeoutHeader = "x-envoy-upstream-rq-per-try-timeout-ms";

    public bool HasTimers => Route > TimeSpan.Zero || PerTry > TimeSpan.Zero;

    public static UpstreamTimeouts For(HttpContext context, RoutingResult request, RouteActionModel? action)
    {
        var route = action?.Timeout ?? TimeSpan.Zero;
        var perTry = action?.Retry?.PerTryTimeout ?? TimeSpan.Zero;
        var headers = context.Request.Headers;
        if (headers.TryGetValue(TimeoutHeader, out var timeoutValue) | headers.TryGetValue(PerTryTimeoutHeader, out var perTryValue))
        {
            if (IsTrusted(request.Listener))
            {
                route = Parse(timeoutValue) ?? route;
                perTry = Parse(perTryValue) ?? perTry;
            }

            headers.Remove(TimeoutHeader);
            headers.Remove(PerTryTimeoutHeader);
        }

        if ((route > TimeSpan.Zero || perTry > TimeSpan.Zero) && IsUpgrade(context))
        {
            return default;
        }

        return new UpstreamTimeouts(route, perTry);
    }

    public static bool IsTrusted(MeshListener listener) => listener.Kind is ListenerKind.Outbound or ListenerKind.HttpProxy or ListenerKind.OutboundCapture;

    private static TimeSpan? Parse(Microsoft.Extensions.Primitives.StringValues value)
        => value.Count > 0 && long.TryParse(value[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? TimeSpan.FromMilliseconds(ms)
            : null;

    private static bool IsUpgrade(HttpContext context)
        => context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true
           || context.Features.Get<IHttpExtendedConnectFeature>()?.IsExtendedConnect == true;
}
