using System.Globalization;
using Mesh.Config.Model;
using Mesh.Config.Model.GatewayApi;

namespace Mesh.Hosting.Kubernetes;

/// <summary>
/// Istio's automated deployment for the Gateway API Gateways of the config directory: each Gateway
/// of a class of Istio's controller (<c>istio</c>, or a GatewayClass naming
/// <c>istio.io/gateway-controller</c>) gets a ServiceAccount, a Deployment of the gateway proxy and
/// a LoadBalancer Service, all named <c>&lt;gateway&gt;-&lt;class&gt;</c> in the Gateway's namespace,
/// the pods labelled <c>gateway.networking.k8s.io/gateway-name</c> — the label by which the control
/// plane hands the proxy that Gateway's routes and reports it Programmed. One listener per port,
/// on the port itself (80 included: the pod may bind low ports, as Istio's does); TCP and TLS
/// ports are TCP listeners of the proxy (it reads the SNI, terminates or passes through per
/// listener). Gateways applied later (<c>kubectl apply</c>) are not in the manifests: deploy them
/// the same way, or let the control plane serve them once it provisions gateways itself.
/// </summary>
internal static class GatewayApiGatewayManifests
{
    private const string BuiltinClass = "istio";
    private const string ControllerName = "istio.io/gateway-controller";

    public static IReadOnlyList<GatewayProxyShape> Shapes(IReadOnlyList<ConfigObject> meshConfig)
    {
        var classes = new HashSet<string>(StringComparer.Ordinal) { BuiltinClass };
        foreach (var gatewayClass in meshConfig.Where(o => o.Kind == ConfigKinds.GatewayClass.Id))
        {
            if (((GatewayClassConfig)gatewayClass.Spec).ControllerName == ControllerName)
            {
                classes.Add(gatewayClass.Metadata.Name);
            }
        }

        var shapes = new List<GatewayProxyShape>();
        foreach (var gateway in meshConfig.Where(o => o.Kind == ConfigKinds.KubernetesGateway.Id))
        {
            var spec = (KubernetesGatewayConfig)gateway.Spec;
            if (spec.GatewayClassName is not { } className || !classes.Contains(className))
            {
                continue;
            }

            var ports = Ports(spec);
            if (ports.Count == 0)
            {
                continue;
            }

            var name = KubernetesNames.Sanitize($"{gateway.Metadata.Name}-{className}");
            var labels = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["gateway.networking.k8s.io/gateway-name"] = gateway.Metadata.Name,
                ["istio.io/gateway-name"] = gateway.Metadata.Name,
            };
            shapes.Add(new GatewayProxyShape(name, name, gateway.Metadata.Namespace, name, labels, ports));
        }

        return shapes;
    }

    private static List<GatewayProxyPort> Ports(KubernetesGatewayConfig spec)
    {
        var ports = new List<GatewayProxyPort>();
        var served = spec.Listeners.Where(l => l.Port is > 0 && l.Protocol is "HTTP" or "HTTPS" or "TCP" or "TLS");
        foreach (var group in served.GroupBy(l => l.Port!.Value).OrderBy(g => g.Key))
        {
            var protocol = group.All(l => l.Protocol is "TCP" or "TLS") ? "TCP" : group.Any(l => l.Protocol == "HTTPS") ? "HTTPS" : "HTTP";
            var port = group.Key;
            var text = port.ToString(CultureInfo.InvariantCulture);
            var listenerName = group.First().Name;
            var serviceName = listenerName is { Length: > 0 and <= 63 } && listenerName.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')
                ? listenerName
                : $"{protocol.ToLowerInvariant()}-{text}";
            ports.Add(new GatewayProxyPort(serviceName, $"gw-{text}", port, port, protocol));
        }

        return ports;
    }
}
