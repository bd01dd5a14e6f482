// The tests start real servers and proxies; run them one class at a time on the shared 2-core machines.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
