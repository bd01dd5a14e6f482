using System.Collections.Immutable;
using Mesh.Config.Model;
using Mesh.Config.Model.Networking;
using Mesh.ControlPlane.Registry;
using Wire = Mesh.Contracts.Snapshots;

namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// Every service of the mesh: registry services (one per name and namespace, endpoints from
/// every workload that registered as a member) and ServiceEntry hosts. Ordered by hostname.
/// </summary>
internal sealed class ServiceIndex
{
    private readonly Dictionary<string, ServiceModel> _byHostname;
    private readonly Dictionary<string, List<ServiceModel>> _byShortName;
    private readonly Dictionary<ServiceModel, int> _positions;
    private IReadOnlyDictionary<string, string>? _autoAddresses;

    private ServiceIndex(ImmutableArray<ServiceModel> services)
    {
        Services = services;
        _byHostname = new Dictionary<string, ServiceModel>(StringComparer.OrdinalIgnoreCase);
        _byShortName = new Dictionary<string, List<ServiceModel>>(StringComparer.OrdinalIgnoreCase);
        _positions = new Dictionary<ServiceModel, int>(services.Length, ReferenceEqualityComparer.Instance);
        for (var i = 0; i < services.Length; i++)
        {
            var service = services[i];
            _byHostname.TryAdd(service.Hostname, service);
            _positions[service] = i;
            if (service.ShortName is { } shortName)
            {
                if (!_byShortName.TryGetValue(shortName, out var named))
                {
                    _byShortName[shortName] = named = [];
                }

                named.Add(service);
            }
        }
    }

    public ImmutableArray<ServiceModel> Services { get; }

    /// <summary>The virtual IP of each service that has no address of its own, by hostname (<see cref="ServiceAddressAllocator"/>).</summary>
    public IReadOnlyDictionary<string, string> AutoAddresses => _autoAddresses ??= ServiceAddressAllocator.Allocate(Services);

    public ServiceModel? Find(string hostname) => _byHostname.GetValueOrDefault(hostname);

    /// <summary>True when both indexes hold the same services with the same definitions (endpoints aside).</summary>
    public bool SameDefinitions(ServiceIndex other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (Services.Length != other.Services.Length)
        {
            return false;
        }

        for (var i = 0; i < Services.Length; i++)
        {
            if (!Services[i].SameDefinition(other.Services[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The services a namespace may see (ServiceEntry <c>exportTo</c>), in hostname order.</summary>
    public IEnumerable<ServiceModel> VisibleFrom(string ns) => Services.Where(s => IsVisibleFrom(s, ns));

    /// <summary>Whether a namespace may see the service (ServiceEntry <c>exportTo</c>).</summary>
    public static bool IsVisibleFrom(ServiceModel service, string ns) =>
        HostNames.IsVisible(service.ExportTo, service.Namespace, ns) && !service.ExportTo.Contains("~");

    /// <summary>
    /// The services a name without wildcard can mean: the one with that hostname (FQDN, or a
    /// ServiceEntry host as written) and, for a name without dots, the registry services of that
    /// short name in any namespace. Case-insensitive, as host matching is.
    /// </summary>
    public IEnumerable<ServiceModel> Named(string name)
    {
        if (Find(name) is { } byHostname)
        {
            yield return byHostname;
        }

        if (!name.Contains('.') && _byShortName.TryGetValue(name, out var named))
        {
            foreach (var service in named)
            {
                yield return service;
            }
        }
    }

    /// <summary>Where a service of this index is in <see cref="Services"/> (hostname order).</summary>
    public int PositionOf(ServiceModel service) => _positions[service];

    public static ServiceIndex Build(MeshModel model, RegistrySnapshot registry, MeshSettings settings)
    {
        var services = new List<ServiceModel>();
        services.AddRange(FromRegistry(model, registry, settings));
        var known = services.Select(s => s.Hostname).ToHashSet(StringComparer.OrdinalIgnoreCase);

        // Kubernetes Services given as configuration name the workloads their selector picks
        // (reviews-v1 for the reviews workloads labelled version: v1); a name proxies already form
        // keeps their definition.
        foreach (var service in KubernetesServiceModels.Build(model, registry, settings))
        {
            if (known.Add(service.Hostname))
            {
                services.Add(service);
            }
        }
        foreach (var entry in model.ServiceEntries)
        {
            foreach (var service in FromServiceEntry(entry, model, registry, settings))
            {
                // A registry service wins over a ServiceEntry for the same host (first definition wins).
                if (known.Add(service.Hostname))
                {
                    services.Add(service);
                }
            }
        }

        if (ControlPlaneService.Build(settings) is { } controlPlane && known.Add(controlPlane.Hostname))
        {
            services.Add(controlPlane);
        }

        return new ServiceIndex([.. services.OrderBy(s => s.Hostname, StringComparer.Ordinal)]);
    }

    private static IEnumerable<ServiceModel> FromRegistry(MeshModel model, RegistrySnapshot registry, MeshSettings settings)
    {
        var members = registry.Workloads
            .OrderBy(w => w.Node.Id, StringComparer.Ordinal)
            .SelectMany(w => w.Node.Services.Select(membership => (w.Node, w.Ready, Membership: membership)))
            .GroupBy(m => (Name: m.Membership.Name.ToLowerInvariant(), Namespace: NamespaceOf(m.Node, settings)));

        foreach (var group in members)
        {
            var ports = group
                .SelectMany(m => m.Membership.Ports)
                .GroupBy(p => p.Port)
                .OrderBy(g => g.Key)
                .Select(g => g.First())
                .Select(p => new ServicePortModel(p.Port, p.Name, ProtocolOf(p.Protocol, p.Name)))
                .ToImmutableArray();
            // A workload whose app is down stays a member (the service and its ports remain, as a
            // Kubernetes Service with no ready pod) but is no endpoint.
            var endpoints = group
                .Where(m => m.Ready)
                .SelectMany(m => m.Membership.Ports.Select(p => Endpoint(model, m.Node, p, settings)))
                .Concat(WorkloadEntryEndpoints.Selected(model, registry, group.Key.Namespace, new Dictionary<string, string> { ["app"] = group.Key.Name })
                    .SelectMany(entry => ports.Select(p => WorkloadEntryEndpoints.For(entry, p.Number, p.Name, p.Number, model, settings))))
                .ToImmutableArray();
            yield return new ServiceModel
            {
                Hostname = $"{group.Key.Name}.{group.Key.Namespace}.svc.{settings.DomainSuffix}",
                ShortName = group.Key.Name,
                Namespace = group.Key.Namespace,
                Ports = ports,
                Endpoints = endpoints,
            };
        }
    }

    internal static ServiceEndpoint Endpoint(MeshModel model, Wire.Node node, Wire.ServicePort port, MeshSettings settings)
    {
        // A sidecar is a mesh mTLS peer (auto mTLS) unless its PeerAuthentication disables mTLS on the
        // port; a pod without a proxy (Kubernetes registry: Mode unspecified) is plaintext.
        var mtls = node.Mode != Wire.ProxyMode.Unspecified && InboundPolicySnapshotBuilder.ModeFor(model, node, NamespaceOf(node, settings), settings, port.TargetPort, port.Port) != Wire.MtlsMode.Disable;
        var endpoint = new Wire.Endpoint
        {
            Address = node.Address,
            Port = port.InboundPort != 0 ? port.InboundPort : port.Port,
            Workload = node.Workload,
            Namespace = NamespaceOf(node, settings),
            Identity = HostNames.SpiffeId(settings.TrustDomain, NamespaceOf(node, settings), node.ServiceAccount),
            Mtls = mtls,
            Weight = 1,
            NodeId = node.Id,
        };
        foreach (var label in node.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            endpoint.Labels.Add(label.Key, label.Value);
        }

        endpoint.Locality = Locality.FromLabels(node.Labels).ToString();
        endpoint.Network = NetworkTable.For(model, settings).Of(node.Labels, node.Address);
        return new ServiceEndpoint(port.Port, endpoint);
    }

    private static IEnumerable<ServiceModel> FromServiceEntry(ConfigResource<ServiceEntryConfig> entry, MeshModel model, RegistrySnapshot registry, MeshSettings settings)
    {
        var spec = entry.Spec;
        var resolution = spec.Resolution ?? ServiceEntryResolution.None;
        var location = spec.Location ?? ServiceEntryLocation.MeshExternal;
        var ports = spec.Ports
            .Select(p => new ServicePortModel(p.Number ?? 0, p.Name ?? "", ServiceEntryProtocolOf(p.Protocol), p.TargetPort ?? 0))
            .OrderBy(p => p.Number)
            .ToImmutableArray();
        foreach (var host in spec.Hosts)
        {
            var endpoints = new List<ServiceEndpoint>();
            foreach (var port in ports)
            {
                if (resolution == ServiceEntryResolution.None)
                {
                    break;
                }

                if (spec.WorkloadSelector is { } selector)
                {
                    endpoints.AddRange(SelectedEndpoints(selector, port, entry.Namespace, model, registry, settings));
                    continue;
                }

                if (spec.Endpoints.Count == 0 && resolution is ServiceEntryResolution.Dns or ServiceEntryResolution.DnsRoundRobin)
                {
                    // DNS without endpoints: the host itself is resolved when connecting.
                    endpoints.Add(SeEndpoint(host, port.TargetPort != 0 ? port.TargetPort : port.Number, null, port.Number, entry, location, model, settings));
                    continue;
                }

                foreach (var workload in spec.Endpoints)
                {
                    var number = workload.Ports.TryGetValue(port.Name, out var mapped) ? mapped : port.TargetPort != 0 ? port.TargetPort : port.Number;
                    endpoints.Add(SeEndpoint(workload.Address ?? "", number, workload, port.Number, entry, location, model, settings));
                }
            }

            yield return new ServiceModel
            {
                Hostname = host.ToLowerInvariant(),
                Namespace = entry.Namespace,
                Ports = ports,
                Endpoints = [.. endpoints],
                External = location == ServiceEntryLocation.MeshExternal,
                DnsResolution = resolution is ServiceEntryResolution.Dns or ServiceEntryResolution.DnsRoundRobin,
                Passthrough = resolution == ServiceEntryResolution.None,
                ExportTo = [.. spec.ExportTo],
                SubjectAltNames = [.. spec.SubjectAltNames],
                Location = location,
                Addresses = [.. spec.Addresses],
            };
        }
    }

    // Istio's ServiceEntry workloadSelector: the workloads and WorkloadEntries of the entry's
    // namespace whose labels match become its endpoints. A workload serves the entry's port where its app listens on
    // the port's targetPort (or number); it is reached through its sidecar's inbound listener for
    // that app port, with mTLS as for any sidecar.
    private static IEnumerable<ServiceEndpoint> SelectedEndpoints(
        WorkloadLabelSelector selector, ServicePortModel port, string ns, MeshModel model, RegistrySnapshot registry, MeshSettings settings)
    {
        var appPort = port.TargetPort != 0 ? port.TargetPort : port.Number;
        foreach (var node in registry.Workloads.Where(w => w.Ready).Select(w => w.Node).OrderBy(n => n.Id, StringComparer.Ordinal))
        {
            if (NamespaceOf(node, settings) != ns || !selector.Matches(node.Labels))
            {
                continue;
            }

            var served = node.Services.SelectMany(s => s.Ports).FirstOrDefault(p => (p.TargetPort != 0 ? p.TargetPort : p.Port) == appPort);
            if (served is not null)
            {
                yield return Endpoint(model, node, served, settings) with { ServicePort = port.Number };
            }
        }

        foreach (var entry in WorkloadEntryEndpoints.Selected(model, registry, ns, selector.Labels))
        {
            yield return WorkloadEntryEndpoints.For(entry, port.Number, port.Name, appPort, model, settings);
        }
    }

    private static ServiceEndpoint SeEndpoint(string address, uint port, WorkloadEntryConfig? workload, uint servicePort, ConfigResource<ServiceEntryConfig> entry, ServiceEntryLocation location, MeshModel model, MeshSettings settings)
    {
        var endpoint = new Wire.Endpoint
        {
            Address = address,
            Port = port,
            Namespace = entry.Namespace,
            Weight = workload?.Weight is > 0 ? workload.Weight.Value : 1,
        };
        if (workload is not null)
        {
            foreach (var label in workload.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
            {
                endpoint.Labels.Add(label.Key, label.Value);
            }

            endpoint.Locality = string.IsNullOrEmpty(workload.Locality) ? Locality.FromLabels(workload.Labels).ToString() : Locality.Parse(workload.Locality).ToString();

            // A mesh-internal endpoint is on a network (an external one is reached directly, wherever it is).
            if (location == ServiceEntryLocation.MeshInternal)
            {
                endpoint.Network = NetworkTable.For(model, settings).Of(workload.Labels, workload.Address, workload.Network);
            }

            // A mesh-internal endpoint with a service account is a meshed workload: originate mTLS to it.
            if (location == ServiceEntryLocation.MeshInternal && !string.IsNullOrEmpty(workload.ServiceAccount))
            {
                endpoint.Identity = HostNames.SpiffeId(settings.TrustDomain, entry.Namespace, workload.ServiceAccount);
                endpoint.Mtls = true;
            }
        }

        return new ServiceEndpoint(servicePort, endpoint);
    }

    /// <summary>
    /// Istio's protocol selection for a service port: the declared protocol (a sidecar's inbound
    /// port protocol, Kubernetes' appProtocol), else the port name's prefix (<c>http</c>,
    /// <c>http2</c>, <c>grpc</c>, <c>grpc-web</c>, <c>https</c>, <c>tcp</c>, <c>tls</c>, <c>mongo</c>,
    /// <c>mysql</c>, <c>redis</c>, alone or before a <c>-</c>), else TCP.
    /// </summary>
    public static Wire.Protocol ProtocolOf(Wire.Protocol declared, string portName) =>
        declared != Wire.Protocol.Unspecified ? declared
        : ProtocolOf(PrefixOf(portName)) is var named && named != Wire.Protocol.Unspecified ? named
        : Wire.Protocol.Tcp;

    /// <summary>A ServiceEntry port's <c>protocol</c>; Istio treats a missing or unknown one as TCP.</summary>
    public static Wire.Protocol ServiceEntryProtocolOf(string? protocol) =>
        ProtocolOf(protocol) is var known && known != Wire.Protocol.Unspecified ? known : Wire.Protocol.Tcp;

    /// <summary>An Istio protocol name (case-insensitive); <see cref="Wire.Protocol.Unspecified"/> when it is not one Mesh carries.</summary>
    public static Wire.Protocol ProtocolOf(string? protocol) => (protocol ?? "").ToUpperInvariant() switch
    {
        "HTTP" => Wire.Protocol.Http,
        "HTTP2" => Wire.Protocol.Http2,
        "GRPC" or "GRPC-WEB" => Wire.Protocol.Grpc,
        "HTTPS" => Wire.Protocol.Https,
        "TLS" => Wire.Protocol.Tls,
        "TCP" or "MONGO" or "REDIS" or "MYSQL" => Wire.Protocol.Tcp,
        _ => Wire.Protocol.Unspecified,
    };

    /// <summary>Whether a sidecar carries the port at L4 (TCP, or TLS by SNI; Istio passes HTTPS through as TLS).</summary>
    public static bool IsL4(Wire.Protocol protocol) => protocol is Wire.Protocol.Tcp or Wire.Protocol.Tls or Wire.Protocol.Https;

    private static string PrefixOf(string portName)
    {
        // grpc-web is a prefix of its own ("grpc-web-api"), not "grpc" followed by "-web".
        if (portName.StartsWith("grpc-web", StringComparison.OrdinalIgnoreCase) && (portName.Length == 8 || portName[8] == '-'))
        {
            return portName[..8];
        }

        var dash = portName.IndexOf('-');
        return dash < 0 ? portName : portName[..dash];
    }

    internal static string NamespaceOf(Wire.Node node, MeshSettings settings) =>
        string.IsNullOrEmpty(node.Namespace) ? settings.DefaultNamespace : node.Namespace;
}

/// <summary>An endpoint of a service, for one service port.</summary>
internal sealed record ServiceEndpoint(uint ServicePort, Wire.Endpoint Endpoint);
