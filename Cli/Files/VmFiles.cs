using System.Globalization;
using System.Text;
using System.Text.Json;
using Mesh.Cli.Client;
using Mesh.Config.Model.Networking;

namespace Mesh.Cli.Files;

/// <summary>The WorkloadGroup a VM's files are written from, as read from its file.</summary>
internal sealed record LocalWorkloadGroup(string Name, string Namespace, WorkloadGroupConfig Spec);

/// <summary>What <c>meshctl workload entry configure</c> writes for one VM.</summary>
internal sealed record VmSettings(
    LocalWorkloadGroup Group,
    ApiWorkloadGroupToken Issued,
    string ControlPlaneAddress,
    string ClusterId,
    string? VmAddress,
    string InstallDirectory,
    string SidecarCommand);

/// <summary>
/// The VM's files (Istio's <c>cluster.env</c>, <c>istio-token</c>, <c>mesh.yaml</c>,
/// <c>root-cert.pem</c>, in Mesh's names): the directory is owner-only (0700), the token and the
/// environment file (which names it) 0600, the rest 0644. Rewriting a directory replaces the files.
/// </summary>
internal static class VmFiles
{
    public const string DefaultInstallDirectory = "/etc/mesh";
    public const string DefaultSidecarCommand = "/usr/bin/dotnet /opt/mesh/sidecar/Mesh.Sidecar.dll";
    public const string TokenFile = "mesh-token";
    public const string RootCertificateFile = "root-cert.pem";
    public const string MeshSettingsFile = "mesh.yaml";
    public const string EnvironmentFile = "mesh-sidecar.env";
    public const string UnitFile = "mesh-sidecar.service";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode Readable = OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    public static IReadOnlyList<string> Write(string directory, VmSettings settings)
    {
        if (File.Exists(directory))
        {
            throw new CliException($"--output {directory} is a file, not a directory");
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return
        [
            WriteFile(directory, TokenFile, settings.Issued.Token + "\n", OwnerOnly),
            WriteFile(directory, RootCertificateFile, settings.Issued.RootCertificates, Readable),
            WriteFile(directory, MeshSettingsFile, MeshSettings(settings), Readable),
            WriteFile(directory, EnvironmentFile, Environment(settings), OwnerOnly),
            WriteFile(directory, UnitFile, Unit(settings), Readable),
        ];
    }

    /// <summary>The mesh settings the VM joins with (Istio's mesh.yaml and cluster.env, as one YAML document).</summary>
    internal static string MeshSettings(VmSettings settings)
    {
        var issued = settings.Issued;
        var text = new StringBuilder()
            .AppendLine("# The mesh this VM joins (meshctl workload entry configure).")
            .AppendLine(CultureInfo.InvariantCulture, $"controlPlaneAddress: {Quote(settings.ControlPlaneAddress)}")
            .AppendLine(CultureInfo.InvariantCulture, $"clusterID: {Quote(settings.ClusterId)}")
            .AppendLine(CultureInfo.InvariantCulture, $"trustDomain: {Quote(issued.TrustDomain)}")
            .AppendLine(CultureInfo.InvariantCulture, $"namespace: {Quote(issued.Namespace)}")
            .AppendLine(CultureInfo.InvariantCulture, $"workloadGroup: {Quote(issued.WorkloadGroup)}")
            .AppendLine(CultureInfo.InvariantCulture, $"serviceAccount: {Quote(issued.ServiceAccount)}")
            .AppendLine(CultureInfo.InvariantCulture, $"tokenExpiresAt: {Quote(issued.ExpiresAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture))}");
        if (settings.VmAddress is { } address)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"address: {Quote(address)}");
        }

        return text.ToString();
    }

    /// <summary>The sidecar's settings (docs/proxy.md), one <c>NAME=value</c> per line for systemd's EnvironmentFile.</summary>
    internal static string Environment(VmSettings settings)
    {
        var issued = settings.Issued;
        var template = settings.Group.Spec.Template ?? new WorkloadEntryConfig();
        var lines = new List<string>
        {
            "# The VM's sidecar, registered from its WorkloadGroup (meshctl workload entry configure).",
            $"Mesh__ControlPlane__Address={settings.ControlPlaneAddress}",
            $"Mesh__ControlPlane__TokenFile={InstallPath(settings, TokenFile)}",
            "# With an https address the control plane's certificate must chain to the mesh's root (Istio's istiod on 15012).",
            $"Mesh__ControlPlane__RootCertFile={InstallPath(settings, RootCertificateFile)}",
            $"Mesh__Node__Namespace={issued.Namespace}",
            $"Mesh__Node__Workload={issued.WorkloadGroup}",
            $"Mesh__Node__ServiceAccount={issued.ServiceAccount}",
            $"Mesh__Node__WorkloadGroup={issued.WorkloadGroup}",
            "# Empty: the control plane registers the address the sidecar's stream comes from.",
            $"Mesh__Node__Address={settings.VmAddress ?? ""}",
            $"Mesh__BindAddress={settings.VmAddress ?? "0.0.0.0"}",
            "Mesh__AppAddress=127.0.0.1",
            $"MESH_CLUSTER_ID={settings.ClusterId}",
        };

        // The VM's network (Istio's ISTIO_META_NETWORK in cluster.env): the sidecar must know it to
        // reach the mesh's other networks through their east-west gateways (docs/vm.md §5).
        if (!string.IsNullOrEmpty(template.Network))
        {
            lines.Add($"Mesh__Node__Network={template.Network}");
        }

        // One inbound listener per port of the template: other proxies reach the VM on that port
        // (the entry's port) and the sidecar forwards to the app on the same port on loopback.
        var index = 0;
        foreach (var (name, port) in template.Ports.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            lines.Add($"Mesh__Inbound__{index}__Name={name}");
            lines.Add($"Mesh__Inbound__{index}__Port={port}");
            lines.Add($"Mesh__Inbound__{index}__ListenPort={port}");
            lines.Add($"Mesh__Inbound__{index}__TargetPort={port}");
            lines.Add($"Mesh__Inbound__{index}__Protocol={ProtocolOf(name)}");
            index++;
        }

        // The group's readiness probe, run by the sidecar and reported (docs/vm.md §2). Single-quoted
        // for systemd (and a shell): the JSON writer escapes any ' in it as \u0027.
        if (settings.Group.Spec.Probe is { } probe)
        {
            lines.Add($"Mesh__ReadinessProbe='{ProbeJson(probe)}'");
        }

        return string.Join("\n", lines) + "\n";
    }

    /// <summary>The probe with Istio's field names (what the sidecar's Mesh:ReadinessProbe reads).</summary>
    internal static string ProbeJson(ReadinessProbeConfig probe)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            Number(json, "initialDelaySeconds", probe.InitialDelaySeconds);
            Number(json, "timeoutSeconds", probe.TimeoutSeconds);
            Number(json, "periodSeconds", probe.PeriodSeconds);
            Number(json, "successThreshold", probe.SuccessThreshold);
            Number(json, "failureThreshold", probe.FailureThreshold);
            if (probe.HttpGet is { } http)
            {
                json.WriteStartObject("httpGet");
                Text(json, "path", http.Path);
                Number(json, "port", (int?)http.Port);
                Text(json, "host", http.Host);
                Text(json, "scheme", http.Scheme);
                if (http.HttpHeaders.Count > 0)
                {
                    json.WriteStartArray("httpHeaders");
                    foreach (var header in http.HttpHeaders)
                    {
                        json.WriteStartObject();
                        Text(json, "name", header.Name);
                        Text(json, "value", header.Value);
                        json.WriteEndObject();
                    }

                    json.WriteEndArray();
                }

                json.WriteEndObject();
            }

            if (probe.TcpSocket is { } tcp)
            {
                json.WriteStartObject("tcpSocket");
                Number(json, "port", (int?)tcp.Port);
                Text(json, "host", tcp.Host);
                json.WriteEndObject();
            }

            if (probe.Exec is { } exec)
            {
                json.WriteStartObject("exec");
                json.WriteStartArray("command");
                foreach (var part in exec.Command)
                {
                    json.WriteStringValue(part);
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Number(Utf8JsonWriter json, string name, int? value)
    {
        if (value is { } number)
        {
            json.WriteNumber(name, number);
        }
    }

    private static void Text(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    internal static string Unit(VmSettings settings) => $"""
        # The mesh sidecar of this VM (meshctl workload entry configure); install as
        # /etc/systemd/system/{UnitFile}, then: systemctl daemon-reload && systemctl enable --now {UnitFile}
        [Unit]
        Description=Mesh sidecar for WorkloadGroup {settings.Issued.Namespace}/{settings.Issued.WorkloadGroup}
        Wants=network-online.target
        After=network-online.target

        [Service]
        EnvironmentFile={InstallPath(settings, EnvironmentFile)}
        ExecStart={settings.SidecarCommand}
        Restart=always
        RestartSec=2

        [Install]
        WantedBy=multi-user.target

        """;

    // Istio's port naming: <protocol>[-<suffix>].
    private static string ProtocolOf(string portName) => portName.Split('-')[0].ToLowerInvariant() switch
    {
        "http" => "HTTP",
        "http2" => "HTTP2",
        "grpc" => "GRPC",
        "https" => "HTTPS",
        "tls" => "TLS",
        _ => "TCP",
    };

    private static string InstallPath(VmSettings settings, string file) => settings.InstallDirectory.TrimEnd('/') + "/" + file;

    private static string Quote(string value) => JsonSerializer.Serialize(value);

    private static string WriteFile(string directory, string name, string content, UnixFileMode mode)
    {
        var path = Path.Combine(directory, name);
        var temporary = path + ".tmp";
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            // Created with its final mode, so a secret is never readable by others, not even briefly.
            options.UnixCreateMode = mode;
        }

        using (var stream = new FileStream(temporary, options))
        using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
        {
            writer.Write(content);
        }

        File.Move(temporary, path, overwrite: true);
        return path;
    }
}
