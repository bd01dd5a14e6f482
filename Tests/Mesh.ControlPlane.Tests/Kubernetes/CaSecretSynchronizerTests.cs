using System.Text;
using Mesh.ControlPlane.Tests.Infrastructure;

namespace Mesh.ControlPlane.Tests.Kubernetes;

/// <summary>The mesh CA kept in a Secret: adopted from it on start, stored into it on first start.</summary>
public sealed class CaSecretSynchronizerTests
{
    [Fact]
    public async Task An_existing_CA_Secret_is_written_into_the_CA_directory_before_start()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        api.AddSecret("istio-system", "mesh-ca", new Dictionary<string, byte[]>
        {
            ["root-cert.pem"] = Encoding.ASCII.GetBytes("-----BEGIN CERTIFICATE-----\nroot\n-----END CERTIFICATE-----\n"),
            ["root-key.pem"] = Encoding.ASCII.GetBytes("-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n"),
        });
        await using var controlPlane = await KubernetesControlPlane.StartAsync(api);

        var key = Path.Combine(controlPlane.DataDirectory, "ca", "root-key.pem");
        Assert.Equal("-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n", File.ReadAllText(key));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        }

        Assert.True(File.Exists(Path.Combine(controlPlane.DataDirectory, "ca", "root-cert.pem")));
    }

    [Fact]
    public async Task CA_files_generated_on_first_start_are_stored_as_the_Secret()
    {
        await using var api = await FakeKubernetesApiServer.StartAsync();
        await using var controlPlane = await KubernetesControlPlane.StartAsync(api);

        // The CA persisted its new root under <data>/ca on first start; the leader (the only replica) stores it.
        var secret = await Poll.ForAsync("the mesh-ca Secret", () => api.Secret("istio-system", "mesh-ca"), s => s is not null);
        var directory = Path.Combine(controlPlane.DataDirectory, "ca");
        Assert.Equal(Directory.EnumerateFiles(directory).Select(Path.GetFileName).Where(f => !f!.StartsWith('.')).Order(), secret!.Keys.Order());
        Assert.Equal(File.ReadAllBytes(Path.Combine(directory, "root-key.pem")), secret["root-key.pem"]);
    }
}
