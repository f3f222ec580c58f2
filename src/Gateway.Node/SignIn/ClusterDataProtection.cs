using Gateway.Actors.SignIn;
using Gateway.Config;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.Internal;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.Node.SignIn;

public static class ClusterDataProtection
{
    /// <summary>The application name every node uses, so all of them share one key ring and one set of purposes.</summary>
    public const string ApplicationName = "gateway";

    /// <summary>
    /// ASP.NET Core Data Protection with the key ring in the cluster's sign-in store
    /// (<see cref="ClusterXmlRepository"/>), each key encrypted under a key derived from
    /// <c>cookie_secret</c> (<see cref="KeyRingXmlEncryptor"/>), and the ring re-read when another
    /// node's key arrives (<see cref="ClusterKeyManager"/>). Needs an <see cref="ISignInStore"/>.
    /// </summary>
    public static IServiceCollection AddClusterDataProtection(this IServiceCollection services, SignInConfig config)
    {
        services.TryAddSingleton(new KeyRingSecret(config));
        services.AddDataProtection().SetApplicationName(ApplicationName);
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(options =>
        {
            options.XmlRepository = new ClusterXmlRepository(sp.GetRequiredService<ISignInStore>());
            options.XmlEncryptor = new KeyRingXmlEncryptor(sp.GetRequiredService<KeyRingSecret>());
        }));
        services.Replace(ServiceDescriptor.Singleton<IKeyManager>(sp => new ClusterKeyManager(
            new XmlKeyManager(sp.GetRequiredService<IOptions<KeyManagementOptions>>(), sp.GetRequiredService<IActivator>(),
                sp.GetRequiredService<ILoggerFactory>()),
            sp.GetRequiredService<ISignInStore>(), sp)));
        return services;
    }
}
