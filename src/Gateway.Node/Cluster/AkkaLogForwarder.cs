using Akka.Actor;
using Akka.DependencyInjection;
using Akka.Dispatch;
using Akka.Event;
using AkkaLogLevel = Akka.Event.LogLevel;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;

namespace Gateway.Node.Cluster;

/// <summary>
/// Akka's logger, writing each Akka log event as one Microsoft.Extensions.Logging event: the
/// category is the logging class (<c>Akka.Cluster.Cluster</c>, <c>Gateway.Actors.Endpoints.EndpointReplicaActor</c>),
/// the message is the event's own text, and the source (actor path) is a scope, which the JSON
/// format shows. Akka.Hosting's logger writes Akka's whole formatted line (level, time, thread,
/// source) as the message instead, which nests one log format inside the other.
/// </summary>
public sealed class AkkaLogForwarder : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    public AkkaLogForwarder()
    {
        var loggers = DependencyResolver.For(Context.System).Resolver.GetService<ILoggerFactory>();
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(e => Write(loggers, e));
    }

    private static void Write(ILoggerFactory loggers, LogEvent e)
    {
        var logger = loggers.CreateLogger(CategoryOf(e));
        var level = LevelOf(e.LogLevel());
        if (!logger.IsEnabled(level)) return;
        using (logger.BeginScope("{AkkaSource}", e.LogSource))
            logger.Log(level, e.Cause, "{Message}", e.Message?.ToString());
    }

    /// <summary>
    /// The logging class; for Akka's internals that log under a plain string ("remoting (akka://gateway)",
    /// "Cluster (akka://gateway)"), "Akka." and that string's first word.
    /// </summary>
    private static string CategoryOf(LogEvent e)
    {
        if (e.LogClass is { } type && type != typeof(DummyClassForStringSources)) return type.FullName ?? type.Name;
        var source = e.LogSource ?? "";
        var end = source.IndexOfAny([' ', '(']);
        return "Akka." + (end > 0 ? source[..end] : source);
    }

    private static LogLevel LevelOf(AkkaLogLevel level) => level switch
    {
        AkkaLogLevel.DebugLevel => LogLevel.Debug,
        AkkaLogLevel.InfoLevel => LogLevel.Information,
        AkkaLogLevel.WarningLevel => LogLevel.Warning,
        _ => LogLevel.Error,
    };
}
