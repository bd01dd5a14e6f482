using Mesh.Cli.Tests.Infrastructure;

namespace Mesh.Cli.Tests;

/// <summary><c>meshctl apply|delete -n NS -f FILE</c> as kubectl's <c>-n</c>: Istio's task files name no namespace and are applied with one.</summary>
public sealed class NamespaceOptionTests
{
    // As Istio's task files: no metadata.namespace.
    private const string Policy = """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata:
          name: ext-authz
        spec:
          selector:
            matchLabels:
              app: httpbin
          action: ALLOW
          rules:
          - to:
            - operation:
                paths: ["/headers"]
        """;

    [Fact]
    public async Task Apply_with_n_puts_objects_that_name_no_namespace_there_and_delete_with_n_removes_them()
    {
        await using var host = await CliHost.StartAsync();
        var file = host.WriteFile("policy.yaml", Policy);

        var apply = await host.RunAsync("apply", "-n", "foo", "-f", file);

        Assert.True(apply.ExitCode == 0, apply.ToString());
        Assert.Contains("AuthorizationPolicy/foo/ext-authz applied", apply.Out);
        var inFoo = await host.RunAsync("get", "authorizationpolicy", "ext-authz", "-n", "foo", "-o", "yaml");
        Assert.True(inFoo.ExitCode == 0, inFoo.ToString());
        Assert.Contains("namespace: foo", inFoo.Out);
        Assert.NotEqual(0, (await host.RunAsync("get", "authorizationpolicy", "ext-authz", "-n", "default")).ExitCode);

        var delete = await host.RunAsync("delete", "-n", "foo", "-f", file);
        Assert.True(delete.ExitCode == 0, delete.ToString());
        Assert.NotEqual(0, (await host.RunAsync("get", "authorizationpolicy", "ext-authz", "-n", "foo")).ExitCode);
    }

    [Fact]
    public async Task An_object_naming_another_namespace_is_refused_with_its_field_path_and_nothing_is_applied()
    {
        await using var host = await CliHost.StartAsync();
        var file = host.WriteFile("policy.yaml", Policy.Replace("  name: ext-authz", "  name: ext-authz\n  namespace: bar", StringComparison.Ordinal));

        var apply = await host.RunAsync("apply", "-n", "foo", "-f", file);

        Assert.Equal(1, apply.ExitCode);
        Assert.Contains("metadata.namespace: the namespace 'bar' does not match the namespace 'foo' the objects are applied to (-n)", apply.Error);
        Assert.DoesNotContain("   at ", apply.Error);
        Assert.Contains("No resources found.", (await host.RunAsync("get", "authorizationpolicy")).Error);
    }
}
