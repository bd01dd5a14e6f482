using Mesh.Config.Model.Common;
using Mesh.Config.Model.Networking;
using Mesh.Config.Validation.Rules;

namespace Mesh.Config.Validation;

/// <summary>
/// Istio's rules for a VirtualService's <c>tcp</c> and <c>tls</c> routes (validateTCPRoute,
/// validateTLSRoute): destinations with weights, match ports, subnets, labels and gateway names;
/// a TLS route needs matches and every match needs SNI hosts that fall within the VirtualService's hosts.
/// </summary>
internal static class VirtualServiceTcpTlsValidator
{
    public static void Validate(VirtualServiceConfig spec, ValidationContext context)
    {
        for (var i = 0; i < spec.Tcp.Count; i++)
        {
            var route = spec.Tcp[i];
            var path = $"spec.tcp[{i}]";
            for (var j = 0; j < route.Match.Count; j++)
            {
                var match = route.Match[j];
                ValidateCommon(match.DestinationSubnets, match.Port, match.SourceLabels, match.Gateways, match.SourceNamespace, $"{path}.match[{j}]", context);
                if (match.SourceSubnet is { } source && IstioRules.IpOrCidr(source) is { } error)
                {
                    context.Error($"{path}.match[{j}].sourceSubnet", error);
                }
            }

            if (route.Route.Count == 0)
            {
                context.Error($"{path}.route", "TCP route is required");
            }

            ValidateDestinations(route.Route, $"{path}.route", context);
        }

        for (var i = 0; i < spec.Tls.Count; i++)
        {
            var route = spec.Tls[i];
            var path = $"spec.tls[{i}]";
            if (route.Match.Count == 0)
            {
                context.Error($"{path}.match", "TLS route must have at least one match condition");
            }

            for (var j = 0; j < route.Match.Count; j++)
            {
                var match = route.Match[j];
                var matchPath = $"{path}.match[{j}]";
                if (match.SniHosts.Count == 0)
                {
                    context.Error($"{matchPath}.sniHosts", "TLS match must have at least one SNI host");
                }

                for (var k = 0; k < match.SniHosts.Count; k++)
                {
                    ValidateSniHost(match.SniHosts[k], spec.Hosts, $"{matchPath}.sniHosts[{k}]", context);
                }

                ValidateCommon(match.DestinationSubnets, match.Port, match.SourceLabels, match.Gateways, match.SourceNamespace, matchPath, context);
            }

            if (route.Route.Count == 0)
            {
                context.Error($"{path}.route", "TLS route is required");
            }

            ValidateDestinations(route.Route, $"{path}.route", context);
        }
    }

    private static void ValidateCommon(ValueList<string> subnets, uint? port, ValueMap<string> sourceLabels, ValueList<string> gateways, string? sourceNamespace, string path, ValidationContext context)
    {
        for (var i = 0; i < subnets.Count; i++)
        {
            if (IstioRules.IpOrCidr(subnets[i]) is { } error)
            {
                context.Error($"{path}.destinationSubnets[{i}]", error);
            }
        }

        if (port is not null && IstioRules.Port(port) is { } portError)
        {
            context.Error($"{path}.port", portError);
        }

        IstioRules.Labels(sourceLabels, $"{path}.sourceLabels", context);
        VirtualServiceValidator.ValidateGatewayNames(gateways, $"{path}.gateways", context);
        if (sourceNamespace is { } ns && !IstioRules.IsDns1123Label(ns))
        {
            context.Error($"{path}.sourceNamespace", $"invalid sourceNamespace \"{ns}\"");
        }
    }

    private static void ValidateSniHost(string sniHost, ValueList<string> hosts, string path, ValidationContext context)
    {
        if (IstioRules.WildcardDomain(sniHost) is { } error && !IstioRules.IsIpAddress(sniHost))
        {
            context.Error(path, error);
            return;
        }

        if (!hosts.Any(h => IsSubsetOf(sniHost, h)))
        {
            context.Error(path, $"SNI host \"{sniHost}\" is not a compatible subset of any of the virtual service hosts: [{string.Join(", ", hosts)}]");
        }
    }

    // Istio's host.Name.SubsetOf: every name the SNI host stands for is also covered by the host.
    private static bool IsSubsetOf(string sniHost, string host)
    {
        if (host == "*")
        {
            return true;
        }

        if (host.StartsWith('*'))
        {
            var suffix = host[1..];
            return sniHost.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && sniHost.Length > suffix.Length;
        }

        return string.Equals(sniHost, host, StringComparison.OrdinalIgnoreCase);
    }

    private static void ValidateDestinations(ValueList<RouteDestination> destinations, string path, ValidationContext context)
    {
        var total = 0L;
        for (var i = 0; i < destinations.Count; i++)
        {
            var destination = destinations[i];
            if (destination.Destination is null)
            {
                context.Error($"{path}[{i}].destination", "destination is required");
            }
            else
            {
                VirtualServiceValidator.ValidateDestination(destination.Destination, $"{path}[{i}].destination", context);
            }

            if (destination.Weight is < 0)
            {
                context.Error($"{path}[{i}].weight", $"weight {destination.Weight} < 0");
            }

            total += destination.Weight ?? 0;
        }

        if (destinations.Count > 1 && total == 0)
        {
            context.Error(path, "total destination weight = 0");
        }
    }
}
