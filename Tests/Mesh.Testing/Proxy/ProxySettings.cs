using System.Globalization;

namespace Mesh.Testing.Proxy;

/// <summary>Builds the <c>Mesh:*</c> configuration of a proxy exactly as the hosting's environment variables would.</summary>
public sealed class ProxySettings
{
    private readonly Dictionary<string, string?> _values = new();
    private int _inbound;
    private int _outbound;
    private int _gateway;

    private ProxySettings(string mode, string controlPlane, string nodeId, string workload)
    {
        Mode = mode;
        _values["Mesh:Mode"] = mode;
        _values["Mesh:ControlPlane:Address"] = controlPlane;
        _values["Mesh:Node:Id"] = nodeId;
        _values["Mesh:Node:Workload"] = workload;
        _values["Mesh:AdminPort"] = "0";
    }

    /// <summary>"Sidecar" or "Gateway": which features the proxy gets (as the Sidecar and Gateway hosts compose them).</summary>
    public string Mode { get; }

    public string NodeId => _values["Mesh:Node:Id"]!;

    public IReadOnlyDictionary<string, string?> Values => _values;

    public static ProxySettings Sidecar(string controlPlane, string nodeId = "test-sidecar", string workload = "productpage-v1")
        => new("Sidecar", controlPlane, nodeId, workload);

    public static ProxySettings Gateway(string controlPlane, string nodeId = "test-gateway", string workload = "istio-ingressgateway")
        => new("Gateway", controlPlane, nodeId, workload);

    public ProxySettings With(string key, string? value)
    {
        _values[key] = value;
        return this;
    }

    /// <summary>Namespace, service account and labels of the workload (what the Hello tells the control plane).</summary>
    public ProxySettings Identity(string @namespace, string serviceAccount, params (string Key, string Value)[] labels)
    {
        _values["Mesh:Node:Namespace"] = @namespace;
        _values["Mesh:Node:ServiceAccount"] = serviceAccount;
        foreach (var (key, value) in labels)
        {
            _values[$"Mesh:Node:Labels:{key}"] = value;
        }

        return this;
    }

    /// <summary>The credential the proxy presents to the control plane (a bootstrap token).</summary>
    public ProxySettings Token(string? token) => With("Mesh:ControlPlane:Token", token);

    public ProxySettings Outbound(string host, int port, string protocol = "HTTP", int listenPort = 0)
    {
        var i = _outbound++;
        _values[$"Mesh:Outbound:{i}:Host"] = host;
        _values[$"Mesh:Outbound:{i}:Port"] = port.ToString(CultureInfo.InvariantCulture);
        _values[$"Mesh:Outbound:{i}:Protocol"] = protocol;
        _values[$"Mesh:Outbound:{i}:ListenPort"] = listenPort.ToString(CultureInfo.InvariantCulture);
        return this;
    }

    public ProxySettings Inbound(string service, string name, int servicePort, int targetPort, string protocol = "HTTP")
    {
        var i = _inbound++;
        _values["Mesh:Service"] = service;
        _values[$"Mesh:Inbound:{i}:Name"] = name;
        _values[$"Mesh:Inbound:{i}:Port"] = servicePort.ToString(CultureInfo.InvariantCulture);
        _values[$"Mesh:Inbound:{i}:TargetPort"] = targetPort.ToString(CultureInfo.InvariantCulture);
        _values[$"Mesh:Inbound:{i}:Protocol"] = protocol;
        _values[$"Mesh:Inbound:{i}:ListenPort"] = "0";
        return this;
    }

    public ProxySettings HttpProxy()
    {
        _values["Mesh:HttpProxyPort"] = "0";
        return this;
    }

    /// <param name="protocol">The listener's protocol (HTTP, TCP...); null leaves it to the snapshot's Gateway servers.</param>
    public ProxySettings GatewayListener(int servicePort, int port = 0, string? protocol = null)
    {
        var i = _gateway++;
        _values[$"Mesh:Gateway:Listeners:{i}:Port"] = port.ToString(CultureInfo.InvariantCulture);
        _values[$"Mesh:Gateway:Listeners:{i}:ServicePort"] = servicePort.ToString(CultureInfo.InvariantCulture);
        if (protocol is not null)
        {
            _values[$"Mesh:Gateway:Listeners:{i}:Protocol"] = protocol;
        }

        return this;
    }
}
