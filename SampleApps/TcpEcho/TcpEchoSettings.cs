using System.Text;
using Samples.Shared;

namespace Samples.TcpEcho;

/// <summary>
/// The server's settings, from configuration section <c>TcpEcho</c> (environment
/// <c>TcpEcho__Ports</c>, …) with Istio's positional arguments on top.
/// </summary>
/// <param name="Ports">TCP ports to echo on (Istio's Deployments use 9000, 9001, 9002; 0 = any free port).</param>
/// <param name="Prefix">Put before every echoed line, followed by one space ("one" for v1, "two" for v2).</param>
/// <param name="Address">Where the ports listen: <c>localhost</c>, <c>*</c> or an IP address.</param>
/// <param name="HealthPort">An HTTP port for <c>/health</c> and <c>/alive</c>; none when null (Istio's image has none).</param>
/// <param name="MaxBufferedLineBytes">
/// A line is echoed once its newline arrives; a longer one than this is streamed through
/// instead of held, so memory per connection stays bounded.
/// </param>
public sealed record TcpEchoSettings(
    IReadOnlyList<int> Ports,
    string Prefix,
    string Address,
    int? HealthPort,
    int MaxBufferedLineBytes)
{
    public const string SectionName = "TcpEcho";
    public const string DefaultPorts = "9000,9001,9002";

    /// <summary>The Dockerfile's default (<c>CMD [ "9000", "hello" ]</c>).</summary>
    public const string DefaultPrefix = "hello";

    public const int DefaultMaxBufferedLineBytes = 64 * 1024;

    /// <summary>Below Kestrel's 1 MiB input buffer, which a line held whole must fit in.</summary>
    public const int MaxMaxBufferedLineBytes = 256 * 1024;

    /// <summary>What goes before each line on the wire: the prefix and one space, UTF-8.</summary>
    public byte[] LinePrefix { get; } = Encoding.UTF8.GetBytes(Prefix + " ");

    /// <exception cref="SampleConfigurationException">A setting is invalid; the message names it.</exception>
    internal static TcpEchoSettings Read(IConfiguration configuration)
    {
        var reader = new SampleSettingsReader(configuration, SectionName);
        var address = reader.ReadListenAddress();
        var ports = ReadPorts(reader, address);
        var healthPort = reader.ReadPort("HealthPort", address);
        reader.RequireDistinct([.. ports.Select(p => ("Ports", p)), ("HealthPort", healthPort ?? 0)]);
        var maxLine = reader.ReadInt("MaxBufferedLineBytes", 1, MaxMaxBufferedLineBytes) ?? DefaultMaxBufferedLineBytes;
        return new TcpEchoSettings(ports, reader.Section["Prefix"] ?? DefaultPrefix, address.Text, healthPort, maxLine);
    }

    /// <summary>"9000,9001" in <c>TcpEcho:Ports</c>, or one port per <c>TcpEcho:Ports:N</c> (Aspire's <c>env:</c> per endpoint).</summary>
    private static int[] ReadPorts(SampleSettingsReader reader, SampleListenAddress address)
    {
        var section = reader.Section.GetSection("Ports");
        var texts = section.Value is { } list
            ? list.Split(',')
            : section.GetChildren().Any()
                ? [.. section.GetChildren().Select(c => c.Value ?? "")]
                : DefaultPorts.Split(',');
        return [.. texts.Select(text => reader.ReadPort("Ports", text, address)!.Value)];
    }
}
