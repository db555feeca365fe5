# Seed 000 (RRAS ⇄ Azure with BGP), "Server 2016 配置": the PowerShell of steps 1 and 2 as the
# document gives it, copied verbatim (tabs and trailing spaces included) from
# shared/seeds/000_ce333039b68fc39f.txt lines 83-149 and 154-159. Its "1.2.3.4" stands for the
# VNet1 gateway's public IP, as the document says. `vpnlab import` reads it as it is.

		Function Invoke-WindowsApi( 
		    [string] $dllName,  
		    [Type] $returnType,  
		    [string] $methodName, 
		    [Type[]] $parameterTypes, 
		    [Object[]] $parameters 
		    )
		{
		  ## Begin to build the dynamic assembly 
		  $domain = [AppDomain]::CurrentDomain 
		  $name = New-Object Reflection.AssemblyName 'PInvokeAssembly' 
		  $assembly = $domain.DefineDynamicAssembly($name, 'Run') 
		  $module = $assembly.DefineDynamicModule('PInvokeModule') 
		  $type = $module.DefineType('PInvokeType', "Public,BeforeFieldInit") 
	
		  $inputParameters = @() 
	
		  for($counter = 1; $counter -le $parameterTypes.Length; $counter++) 
		  { 
		     $inputParameters += $parameters[$counter - 1] 
		  } 
	
		  $method = $type.DefineMethod($methodName, 'Public,HideBySig,Static,PinvokeImpl',$returnType, $parameterTypes) 
	
		  ## Apply the P/Invoke constructor 
		  $ctor = [Runtime.InteropServices.DllImportAttribute].GetConstructor([string]) 
		  $attr = New-Object Reflection.Emit.CustomAttributeBuilder $ctor, $dllName 
		  $method.SetCustomAttribute($attr) 
	
		  ## Create the temporary type, and invoke the method. 
		  $realType = $type.CreateType() 
	
		  $ret = $realType.InvokeMember($methodName, 'Public,Static,InvokeMethod', $null, $null, $inputParameters) 
	
		  return $ret
		}
	
		Function Set-PrivateProfileString( 
		    $file, 
		    $category, 
		    $key, 
		    $value) 
		{
		  ## Prepare the parameter types and parameter values for the Invoke-WindowsApi script 
		  $parameterTypes = [string], [string], [string], [string] 
		  $parameters = [string] $category, [string] $key, [string] $value, [string] $file 
	
		  ## Invoke the API 
		  [void] (Invoke-WindowsApi "kernel32.dll" ([UInt32]) "WritePrivateProfileString" $parameterTypes $parameters)
		}
	
		# Add and configure S2S VPN interface
		Add-VpnS2SInterface -Protocol IKEv2 -AuthenticationMethod PSKOnly -NumberOfTries 3 -ResponderAuthenticationMethod PSKOnly -Name 1.2.3.4 -Destination 1.2.3.4 -IPv4Subnet @() -SharedSecret AzureA1b2C3
	
		Set-VpnServerIPsecConfiguration -EncryptionType MaximumEncryption
	
		Set-VpnS2Sinterface -Name 1.2.3.4 -InitiateConfigPayload $false -Force
	
		# Set S2S VPN connection to be persistent by editing the router.pbk file (required admin priveleges)
		Set-PrivateProfileString $env:windir\System32\ras\router.pbk "1.2.3.4" "IdleDisconnectSeconds" "0"
		Set-PrivateProfileString $env:windir\System32\ras\router.pbk "1.2.3.4" "RedialOnLinkFailure" "1"
	
		# Restart the RRAS service
		Restart-Service RemoteAccess
	
		# Dial-in to Azure gateway
		Connect-VpnS2SInterface -Name 1.2.3.4

		#建立BGP Peer，192.168.37.1是我这边测试环境的内网网卡地址
		Add-BgpRouter -BgpIdentifier "192.168.37.1" -LocalASN 65032
		#指定Azure端的BGP参数，PeerName可以自行定义，PeerIPAddress为VNET1 VPN gateway peer 地址，PeerASN为VNET1 VPN gateway AS号，LocalIPAddress为本地VPN peer地址
		Add-bgppeer -PeerName "AzureS2S" -PeerIPAddress "10.3.1.254" -PeerASN 65010 -LocalIPAddress 192.168.37.1
		#将内网网卡的路由进行BGP发布，网卡的名字需要根据实际情况修改
		Add-BgpCustomRoute -Interface LAN
