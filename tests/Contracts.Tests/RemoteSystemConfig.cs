using Akka.Configuration;
using Gateway.Contracts.Serialization;

namespace Gateway.Contracts.Tests;

/// <summary>
/// An actor system as a node runs it, as far as messages are concerned: remoting on a loopback
/// port and the gateway serializer bound. Akka.Remote's defaults (frame size included) apply.
/// </summary>
internal static class RemoteSystemConfig
{
    public static Config Create() => ConfigurationFactory.ParseString("""
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp.hostname = 127.0.0.1
        akka.remote.dot-netty.tcp.port = 0
        akka.loglevel = WARNING
        akka.log-dead-letters = off
        akka.log-dead-letters-during-shutdown = off
        akka.remote.log-remote-lifecycle-events = off
        """).WithFallback(ConfigurationFactory.ParseString(GatewaySerialization.Hocon));
}
