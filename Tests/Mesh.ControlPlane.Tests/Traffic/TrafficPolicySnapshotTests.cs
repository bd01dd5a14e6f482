using Mesh.Contracts.Snapshots;
using Mesh.ControlPlane.Snapshots;
using Mesh.ControlPlane.Tests.Snapshots;

namespace Mesh.ControlPlane.Tests.Traffic;

/// <summary>DestinationRule traffic policies as the proxy receives them.</summary>
public sealed class TrafficPolicySnapshotTests
{
    [Theory]
    [InlineData("maglev: {tableSize: 65537}", 65537ul, 0ul)]
    [InlineData("ringHash: {minimumRingSize: 4096}", 0ul, 4096ul)]
    [InlineData("minimumRingSize: 2048", 0ul, 2048ul)]
    [InlineData("{}", 0ul, 0ul)]
    public void Consistent_hash_carries_the_maglev_table_or_the_ring_size(string algorithm, ulong maglevTableSize, ulong minimumRingSize)
    {
        var objects = BookinfoMesh.Parse($$"""
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: ratings}
            spec:
              host: ratings
              trafficPolicy:
                loadBalancer:
                  consistentHash:
                    httpHeaderName: x-user
            {{(algorithm == "{}" ? "" : $"        {algorithm}")}}
            """);

        var snapshot = SnapshotBuilder.Build(BookinfoMesh.Inputs(objects), BookinfoMesh.ProductPage);

        var hash = snapshot.Clusters.Single(c => c.Name == "outbound|9080||ratings.default.svc.cluster.local").LoadBalancer.ConsistentHash;
        Assert.Equal("x-user", hash.HttpHeaderName);
        Assert.Equal((maglevTableSize, minimumRingSize), (hash.MaglevTableSize, hash.MinimumRingSize));
    }

    [Fact]
    public void Among_many_DestinationRules_each_service_gets_the_one_Istio_precedence_picks()
    {
        // Rules are looked up by host (RulesByHost): an exact host beats a wildcard that sorts first,
        // the first by name wins among equals, the proxy's namespace beats the root namespace, a rule
        // not exported to the proxy's namespace does not apply — among 300 rules for other hosts.
        static string Rule(string name, string ns, string host, int pending, string extra = "") => $$"""
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata:
              name: {{name}}
              namespace: {{ns}}
            spec:
              host: "{{host}}"
              {{extra}}
              trafficPolicy:
                connectionPool:
                  http:
                    http1MaxPendingRequests: {{pending}}
            """;
        var yaml = string.Join("\n---\n", Enumerable.Range(0, 300).Select(i => Rule($"ext-{i}", "default", $"ext-{i}.example.com", 1000 + i)).Concat(
        [
            Rule("a-wildcard", "default", "*.default.svc.cluster.local", 1),
            Rule("z-reviews", "default", "reviews", 2),
            Rule("r1", "default", "ratings", 3),
            Rule("r2", "default", "ratings.default.svc.cluster.local", 4),
            Rule("details", "istio-system", "details.default.svc.cluster.local", 5),
            Rule("productpage", "team", "productpage.default.svc.cluster.local", 6, "exportTo: [\".\"]"),
        ]));

        var snapshot = SnapshotBuilder.Build(BookinfoMesh.Inputs(BookinfoMesh.Parse(yaml)), BookinfoMesh.ReviewsV1);
        uint Pending(string service) => snapshot.Clusters.Single(c => c.Name == $"outbound|9080||{service}.default.svc.cluster.local").ConnectionPool?.Http1MaxPendingRequests ?? 0u;

        Assert.Equal((2u, 3u, 1u, 1u), (Pending("reviews"), Pending("ratings"), Pending("details"), Pending("productpage")));

        // Without the namespace's wildcard rule, details falls to the root namespace's and productpage to none.
        snapshot = SnapshotBuilder.Build(BookinfoMesh.Inputs(BookinfoMesh.Parse(yaml).Where(o => o.Metadata.Name != "a-wildcard")), BookinfoMesh.ReviewsV1);
        Assert.Equal((5u, 0u), (Pending("details"), Pending("productpage")));
    }

    [Fact]
    public void Circuit_breaking_task_destination_rule_reaches_the_cluster()
    {
        var objects = BookinfoMesh.Parse("""
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: ratings}
            spec:
              host: ratings
              trafficPolicy:
                connectionPool:
                  tcp:
                    maxConnections: 1
                  http:
                    http1MaxPendingRequests: 1
                    maxRequestsPerConnection: 1
                outlierDetection:
                  consecutive5xxErrors: 1
                  interval: 1s
                  baseEjectionTime: 3m
                  maxEjectionPercent: 100
            """);

        var cluster = SnapshotBuilder.Build(BookinfoMesh.Inputs(objects), BookinfoMesh.ProductPage)
            .Clusters.Single(c => c.Name == "outbound|9080||ratings.default.svc.cluster.local");

        Assert.Equal((1u, 1u, 1u, 0u), (cluster.ConnectionPool.MaxConnections, cluster.ConnectionPool.Http1MaxPendingRequests, cluster.ConnectionPool.MaxRequestsPerConnection, cluster.ConnectionPool.Http2MaxRequests));
        Assert.Equal((1u, 100u), (cluster.OutlierDetection.Consecutive5XxErrors, cluster.OutlierDetection.MaxEjectionPercent));
        Assert.Equal(TimeSpan.FromMinutes(3), cluster.OutlierDetection.BaseEjectionTime.ToTimeSpan());
    }

    [Theory]
    [InlineData("DEFAULT", Mesh.Contracts.Snapshots.H2UpgradePolicy.H2UpgradeDefault)]
    [InlineData("DO_NOT_UPGRADE", Mesh.Contracts.Snapshots.H2UpgradePolicy.DoNotUpgrade)]
    [InlineData("UPGRADE", Mesh.Contracts.Snapshots.H2UpgradePolicy.Upgrade)]
    public void H2_upgrade_policy_reaches_the_cluster(string policy, Mesh.Contracts.Snapshots.H2UpgradePolicy expected)
    {
        var objects = BookinfoMesh.Parse($$"""
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: ratings}
            spec:
              host: ratings
              trafficPolicy: {connectionPool: {http: {h2UpgradePolicy: {{policy}} } } }
            """);

        var cluster = SnapshotBuilder.Build(BookinfoMesh.Inputs(objects), BookinfoMesh.ProductPage)
            .Clusters.Single(c => c.Name == "outbound|9080||ratings.default.svc.cluster.local");

        Assert.Equal(expected, cluster.ConnectionPool.H2UpgradePolicy);
    }

    [Theory]
    [InlineData("consecutiveErrors: 3", 0u, 3u)]
    [InlineData("consecutive5xxErrors: 2", 2u, 0u)]
    [InlineData("consecutiveGatewayErrors: 4", 5u, 4u)]
    [InlineData("interval: 1s", 5u, 0u)]
    public void Outlier_detection_thresholds_follow_Istio_including_the_deprecated_consecutive_errors(string field, uint fiveXx, uint gateway)
    {
        var objects = BookinfoMesh.Parse($$"""
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: ratings}
            spec:
              host: ratings
              trafficPolicy:
                outlierDetection:
                  {{field}}
            """);

        var outlier = SnapshotBuilder.Build(BookinfoMesh.Inputs(objects), BookinfoMesh.ProductPage)
            .Clusters.Single(c => c.Name == "outbound|9080||ratings.default.svc.cluster.local").OutlierDetection;

        Assert.Equal((fiveXx, gateway), (outlier.Consecutive5XxErrors, outlier.ConsecutiveGatewayErrors));
    }

    [Fact]
    public void Retry_budget_gets_Istios_defaults_and_a_subset_may_override_it()
    {
        var objects = BookinfoMesh.Parse("""
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: reviews}
            spec:
              host: reviews
              trafficPolicy:
                retryBudget: {}
                portLevelSettings:
                - port: {number: 9080}
                  connectionPool: {http: {maxRetries: 7}}
              subsets:
              - name: v1
                labels: {version: v1}
              - name: v2
                labels: {version: v2}
                trafficPolicy:
                  retryBudget: {percent: 50, minRetryConcurrency: 1}
            """);

        var snapshot = SnapshotBuilder.Build(BookinfoMesh.Inputs(objects), BookinfoMesh.ProductPage);
        RetryBudget BudgetOf(string subset) => snapshot.Clusters.Single(c => c.Name == $"outbound|9080|{subset}|reviews.default.svc.cluster.local").RetryBudget;

        Assert.Equal((20.0, 3u), (BudgetOf("").Percent, BudgetOf("").MinRetryConcurrency));
        Assert.Equal((20.0, 3u), (BudgetOf("v1").Percent, BudgetOf("v1").MinRetryConcurrency));
        Assert.Equal((50.0, 1u), (BudgetOf("v2").Percent, BudgetOf("v2").MinRetryConcurrency));
    }
}
