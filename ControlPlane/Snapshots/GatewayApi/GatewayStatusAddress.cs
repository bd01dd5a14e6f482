namespace Mesh.ControlPlane.Snapshots;

/// <summary>
/// Where a Gateway's proxy can be reached, as its status says: <c>IPAddress</c> or
/// <c>Hostname</c>, or an implementation-specific (domain-prefixed) type.
/// </summary>
internal sealed record GatewayStatusAddress(string Type, string Value)
{
    /// <summary>The type of <see cref="LocalPort"/> addresses (domain-prefixed, as the spec allows implementations).</summary>
    public const string LocalPortType = "mesh.local/ListenerPort";

    /// <summary>
    /// Locally, where a listener port is served (a privileged port such as 80 moves):
    /// <c>{type: mesh.local/ListenerPort, value: 80=127.0.0.1:10080}</c>.
    /// </summary>
    public static GatewayStatusAddress LocalPort(int listenerPort, string hostPort) => new(LocalPortType, $"{listenerPort}={hostPort}");
}

/// <summary>What provisions Gateways' proxies tells status: the addresses of one Gateway, and listeners it could not serve.</summary>
internal interface IGatewayAddresses
{
    /// <summary>The addresses of a Gateway's proxy, or empty when it has none (yet).</summary>
    IReadOnlyList<GatewayStatusAddress> AddressesOf(string ns, string name);

    /// <summary>Listeners the provisioner could not serve (a local port in use...), by listener name.</summary>
    IReadOnlyDictionary<string, GatewayApiProblem> ListenerProblemsOf(string ns, string name);
}

/// <summary>No provisioning: no addresses, no listener problems (status then says what the registry knows).</summary>
internal sealed class NoGatewayAddresses : IGatewayAddresses
{
    public static NoGatewayAddresses Instance { get; } = new();

    public IReadOnlyList<GatewayStatusAddress> AddressesOf(string ns, string name) => [];

    public IReadOnlyDictionary<string, GatewayApiProblem> ListenerProblemsOf(string ns, string name) => new Dictionary<string, GatewayApiProblem>();
}
