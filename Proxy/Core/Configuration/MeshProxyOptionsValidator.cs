using Microsoft.Extensions.Options;
using Mesh.Proxy.Core.Configuration.Probes;

namespace Mesh.Proxy.Core.Configuration;

/// <summary>
/// Rejects a proxy configuration that cannot work, naming the configuration key, so a
/// misconfigured sidecar fails at start instead of misrouting traffic later.
/// </summary>
internal sealed class MeshProxyOptionsValidator : IValidateOptions<MeshProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, MeshProxyOptions options)
    {
        var errors = new List<string>();
        const string root = MeshProxyOptions.SectionName;

        if (!Uri.TryCreate(options.ControlPlane.Address, UriKind.Absolute, out var cp) || (cp.Scheme != "http" && cp.Scheme != "https"))
        {
            errors.Add($"{root}:ControlPlane:Address must be an absolute http:// or https:// URI (got '{options.ControlPlane.Address}').");
        }

        if (options.ControlPlane.RootCertFile is { Length: > 0 } rootCerts && !File.Exists(rootCerts))
        {
            errors.Add($"{root}:ControlPlane:RootCertFile '{rootCerts}' does not exist.");
        }

        if (string.IsNullOrWhiteSpace(options.ControlPlane.ServerName))
        {
            errors.Add($"{root}:ControlPlane:ServerName must not be empty (the name the control plane's certificate must carry).");
        }

        if (string.IsNullOrWhiteSpace(options.Node.Workload))
        {
            errors.Add($"{root}:Node:Workload is required.");
        }

        if (string.IsNullOrWhiteSpace(options.Node.Namespace))
        {
            errors.Add($"{root}:Node:Namespace must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(options.BindAddress) || !System.Net.IPAddress.TryParse(options.BindAddress, out _))
        {
            errors.Add($"{root}:BindAddress must be an IP address (got '{options.BindAddress}').");
        }

        CheckListenPort(errors, $"{root}:AdminPort", options.AdminPort);
        if (options.HttpProxyPort is { } proxyPort)
        {
            CheckListenPort(errors, $"{root}:HttpProxyPort", proxyPort);
        }

        if (options.Capture.Enabled)
        {
            CheckServicePort(errors, $"{root}:Capture:OutboundPort", options.Capture.OutboundPort);
            CheckServicePort(errors, $"{root}:Capture:InboundPort", options.Capture.InboundPort);
            if (options.Mode != MeshProxyMode.Sidecar)
            {
                errors.Add($"{root}:Capture:Enabled is a sidecar setting; it is not valid with {root}:Mode=Gateway.");
            }
        }

        if (options.Dns.Enabled)
        {
            ValidateDns(options, errors);
        }

        if (options.Mode == MeshProxyMode.Sidecar)
        {
            ValidateSidecar(options, errors);
        }
        else
        {
            ValidateGateway(options, errors);
        }

        CheckDistinctListenPorts(options, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateSidecar(MeshProxyOptions options, List<string> errors)
    {
        const string root = MeshProxyOptions.SectionName;
        if (options.Gateway.Listeners.Count > 0)
        {
            errors.Add($"{root}:Gateway:Listeners is only valid with {root}:Mode=Gateway.");
        }

        // A proxy registering from a WorkloadGroup (a VM) is an endpoint through its WorkloadEntry,
        // which the services' selectors choose (Istio's VMs declare no service); others declare theirs.
        if (options.Inbound.Count > 0 && string.IsNullOrWhiteSpace(options.Service) && string.IsNullOrWhiteSpace(options.Node.WorkloadGroup))
        {
            errors.Add($"{root}:Service is required when {root}:Inbound ports are configured (unless {root}:Node:WorkloadGroup is set).");
        }

        if (options.Inbound.Count > 0 && string.IsNullOrWhiteSpace(options.AppAddress))
        {
            errors.Add($"{root}:AppAddress must not be empty.");
        }

        AppProbeSet.TryParse(options.AppProbers, errors);
        if (!string.IsNullOrWhiteSpace(options.ReadinessProbe))
        {
            ReadinessProbeSpec.Parse(options.ReadinessProbe, errors);
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var servicePorts = new HashSet<int>();
        for (var i = 0; i < options.Inbound.Count; i++)
        {
            var inbound = options.Inbound[i];
            var key = $"{root}:Inbound:{i}";
            if (string.IsNullOrWhiteSpace(inbound.Name))
            {
                errors.Add($"{key}:Name must not be empty.");
            }
            else if (!names.Add(inbound.Name))
            {
                errors.Add($"{key}:Name '{inbound.Name}' is used by another inbound port.");
            }

            CheckServicePort(errors, $"{key}:Port", inbound.Port);
            if (inbound.Port is > 0 and <= 65535 && !servicePorts.Add(inbound.Port))
            {
                errors.Add($"{key}:Port {inbound.Port} is used by another inbound port.");
            }

            CheckServicePort(errors, $"{key}:TargetPort", inbound.TargetPort);
            CheckListenPort(errors, $"{key}:ListenPort", inbound.ListenPort);
            if (inbound.Protocol == ListenerProtocol.HTTPS)
            {
                errors.Add($"{key}:Protocol HTTPS is not an inbound protocol (use HTTP, HTTP2 or GRPC, TCP, or TLS for an app that terminates TLS itself; mesh TLS is added by the proxy).");
            }
        }

        for (var i = 0; i < options.Outbound.Count; i++)
        {
            var outbound = options.Outbound[i];
            var key = $"{root}:Outbound:{i}";
            if (string.IsNullOrWhiteSpace(outbound.Host))
            {
                errors.Add($"{key}:Host is required.");
            }

            if (outbound.Port is < 0 or > 65535)
            {
                errors.Add($"{key}:Port must be 0 (the service's only port) or 1-65535 (got {outbound.Port}).");
            }

            CheckListenPort(errors, $"{key}:ListenPort", outbound.ListenPort);
            if (outbound.Protocol == ListenerProtocol.HTTPS)
            {
                errors.Add($"{key}:Protocol HTTPS is not supported for outbound bindings (use HTTP, HTTP2, GRPC, TCP, or TLS for TLS the app originates).");
            }

            if (outbound.Host == "*" && outbound.Protocol != ListenerProtocol.TLS)
            {
                errors.Add($"{key}:Host '*' (any host, chosen by SNI) needs Protocol TLS.");
            }

            if (outbound.Port == 0 && outbound.Protocol is ListenerProtocol.TCP or ListenerProtocol.TLS)
            {
                errors.Add($"{key}:Port is required (1-65535) with Protocol {outbound.Protocol}.");
            }
        }
    }

    private static void ValidateGateway(MeshProxyOptions options, List<string> errors)
    {
        const string root = MeshProxyOptions.SectionName;
        if (options.Gateway.Listeners.Count == 0)
        {
            errors.Add($"{root}:Gateway:Listeners needs at least one listener with {root}:Mode=Gateway.");
        }

        if (!string.IsNullOrWhiteSpace(options.AppProbers))
        {
            errors.Add($"{root}:AppProbers is a sidecar setting (the probes of the app beside it); it is not valid with {root}:Mode=Gateway.");
        }

        if (options.Inbound.Count > 0 || options.Outbound.Count > 0 || options.HttpProxyPort is not null)
        {
            errors.Add($"{root}:Inbound, {root}:Outbound and {root}:HttpProxyPort are sidecar settings; they are not valid with {root}:Mode=Gateway.");
        }

        if (options.Gateway.DrainTimeout < TimeSpan.Zero)
        {
            errors.Add($"{root}:Gateway:DrainTimeout must not be negative (got {options.Gateway.DrainTimeout}).");
        }

        for (var i = 0; i < options.Gateway.Listeners.Count; i++)
        {
            var listener = options.Gateway.Listeners[i];
            var key = $"{root}:Gateway:Listeners:{i}";
            CheckListenPort(errors, $"{key}:Port", listener.Port);
            if (listener.ServicePort is < 0 or > 65535)
            {
                errors.Add($"{key}:ServicePort must be 1-65535 (got {listener.ServicePort}).");
            }

            if (listener.ServicePort == 0 && listener.Port == 0)
            {
                errors.Add($"{key}:ServicePort is required when {key}:Port is 0 (it names the Gateway server port this listener serves).");
            }
        }
    }

    private static void CheckDistinctListenPorts(MeshProxyOptions options, List<string> errors)
    {
        var seen = new Dictionary<int, string>();
        void Add(string key, int port)
        {
            if (port == 0)
            {
                return;
            }

            if (!seen.TryAdd(port, key))
            {
                errors.Add($"{key} {port} is already used by {seen[port]}.");
            }
        }

        Add($"{MeshProxyOptions.SectionName}:AdminPort", options.AdminPort);
        if (options.HttpProxyPort is { } p)
        {
            Add($"{MeshProxyOptions.SectionName}:HttpProxyPort", p);
        }

        for (var i = 0; i < options.Inbound.Count; i++)
        {
            Add($"{MeshProxyOptions.SectionName}:Inbound:{i}:ListenPort", options.Inbound[i].ListenPort);
        }

        if (options.Capture.Enabled)
        {
            Add($"{MeshProxyOptions.SectionName}:Capture:OutboundPort", options.Capture.OutboundPort);
            Add($"{MeshProxyOptions.SectionName}:Capture:InboundPort", options.Capture.InboundPort);
        }

        if (options.Dns.Enabled)
        {
            Add($"{MeshProxyOptions.SectionName}:Dns:Port", options.Dns.Port);
        }

        for (var i = 0; i < options.Outbound.Count; i++)
        {
            Add($"{MeshProxyOptions.SectionName}:Outbound:{i}:ListenPort", options.Outbound[i].ListenPort);
        }

        for (var i = 0; i < options.Gateway.Listeners.Count; i++)
        {
            Add($"{MeshProxyOptions.SectionName}:Gateway:Listeners:{i}:Port", options.Gateway.Listeners[i].Port);
        }
    }

    private static void ValidateDns(MeshProxyOptions options, List<string> errors)
    {
        const string root = MeshProxyOptions.SectionName;
        var dns = options.Dns;
        if (options.Mode != MeshProxyMode.Sidecar)
        {
            errors.Add($"{root}:Dns:Enabled is a sidecar setting; it is not valid with {root}:Mode=Gateway.");
        }

        CheckListenPort(errors, $"{root}:Dns:Port", dns.Port);
        if (!System.Net.IPAddress.TryParse(dns.BindAddress, out _))
        {
            errors.Add($"{root}:Dns:BindAddress must be an IP address (got '{dns.BindAddress}').");
        }

        for (var i = 0; i < dns.Upstream.Count; i++)
        {
            try
            {
                DnsProxyOptions.ParseUpstream(dns.Upstream[i]);
            }
            catch (FormatException ex)
            {
                errors.Add($"{root}:Dns:Upstream:{i} must be an IP address or address:port: {ex.Message}.");
            }
        }

        if (string.IsNullOrWhiteSpace(dns.ClusterDomain) || dns.ClusterDomain.Trim('.').Length == 0)
        {
            errors.Add($"{root}:Dns:ClusterDomain must be a domain such as cluster.local (got '{dns.ClusterDomain}').");
        }

        if (dns.UpstreamTimeoutMs < 1)
        {
            errors.Add($"{root}:Dns:UpstreamTimeoutMs must be at least 1 (got {dns.UpstreamTimeoutMs}).");
        }
    }

    private static void CheckListenPort(List<string> errors, string key, int port)
    {
        if (port is < 0 or > 65535)
        {
            errors.Add($"{key} must be 0 (any free port) or 1-65535 (got {port}).");
        }
    }

    private static void CheckServicePort(List<string> errors, string key, int port)
    {
        if (port is < 1 or > 65535)
        {
            errors.Add($"{key} must be 1-65535 (got {port}).");
        }
    }
}
