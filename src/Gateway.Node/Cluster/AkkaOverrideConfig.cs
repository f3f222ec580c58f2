using Akka.Configuration;

namespace Gateway.Node.Cluster;

/// <summary>
/// The config loader hands over the <em>contents</em> of config.hocon's <c>akka { }</c> block
/// (paths like <c>cluster.failure-detector...</c>); the actor system needs them under <c>akka</c> again.
/// </summary>
public static class AkkaOverrideConfig
{
    public static Akka.Configuration.Config? Reroot(Akka.Configuration.Config? inner)
    {
        if (inner is null || inner.IsEmpty || inner.Root is null) return null;
        return ConfigurationFactory.ParseString("akka {\n" + inner.Root.ToString() + "\n}");
    }
}
