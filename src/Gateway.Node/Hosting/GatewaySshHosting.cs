namespace Gateway.Node.Hosting;

/// <summary>The SSH listener (<c>ssh_address</c>) where tunnel clients connect, and the watcher that ends connections whose sign-in ended.</summary>
public static class GatewaySshHosting
{
    public static IServiceCollection AddGatewaySsh(this IServiceCollection services)
    {
        services.AddSingleton<SshListener>();
        services.AddHostedService(sp => sp.GetRequiredService<SshListener>());
        // Idle without a sign-in store (sign-in not configured): configured users have no session to end.
        services.AddHostedService<SshSessions.SignIn.SignInConnectionWatcher>();
        return services;
    }
}
