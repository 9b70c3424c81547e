// SPDX-License-Identifier: GPL-2.0
/*
 * Moat: an IPsec (ESP) VPN on a route-based network device.
 */

#include <linux/module.h>
#include <net/genetlink.h>
#include <net/rtnetlink.h>
#include <uapi/linux/moat.h>

#include "device.h"
#include "netlink.h"
#include "netns.h"
#include "sa.h"
#include "socket.h"
#include "stats.h"

static int __init moat_init(void)
{
	int ret;

	ret = moat_sa_init();
	if (ret)
		return ret;
	ret = moat_netns_init();
	if (ret)
		goto err_sa;
	ret = moat_device_init();
	if (ret)
		goto err_netns;
	ret = moat_socket_init();
	if (ret)
		goto err_device;
	ret = moat_genl_init();
	if (ret)
		goto err_socket;
	moat_pipe_init();
	pr_info("moat: IPsec ESP tunnel device, genetlink version %d\n",
		MOAT_GENL_VERSION);
	return 0;

err_socket:
	moat_socket_exit();
err_device:
	moat_device_exit();
err_netns:
	moat_netns_exit();
err_sa:
	moat_sa_exit();
	return ret;
}

/* Configuration first, then the way in, the devices and what they left. */
static void __exit moat_exit(void)
{
	moat_pipe_exit();
	moat_genl_exit();
	moat_socket_exit();
	moat_device_exit();
	moat_netns_exit();
	moat_sa_exit();
	rcu_barrier();
}

module_init(moat_init);
module_exit(moat_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Moat IPsec ESP tunnel device");
MODULE_VERSION(MOAT_VERSION);
MODULE_ALIAS_RTNL_LINK(KBUILD_MODNAME);
MODULE_ALIAS_GENL_FAMILY(MOAT_GENL_NAME);
