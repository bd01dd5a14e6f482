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
