namespace Gateway.Node.Hosting;

/// <summary>The SSH listener (<c>ssh_address</c>) where tunnel clients connect.</summary>
public static class GatewaySshHosting
{
    public static IServiceCollection AddGatewaySsh(this IServiceCollection services)
    {
        services.AddSingleton<SshListener>();
        services.AddHostedService(sp => sp.GetRequiredService<SshListener>());
        return services;
    }
}
